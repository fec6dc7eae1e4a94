/**
 * How a tip in Telegram Stars is split. Stars are whole numbers, so every share is an integer and the
 * rounding rule lives here, once:
 *
 * - ourCommission  = floor(amount × commissionBps / 10 000): rounded down, so the person thanked never
 *   loses a fraction of a Star to rounding (a 9-Star tip at 10% leaves no commission at all);
 * - providerFee    = 0: Telegram takes its cut when the bot owner withdraws Stars (Fragment), not per
 *   payment, so nothing is known or deducted at payment time;
 * - recipientShare = amount − ourCommission − providerFee: the remainder, so the parts always add up.
 */

/** Smallest and largest tip, in Stars. */
export const TIP_MIN = 1;
export const TIP_MAX = 2500;
/** The amounts offered as buttons. */
export const TIP_PRESETS: readonly number[] = [5, 10, 25, 50];

/** Basis points: 100 bps = 1%. */
export const DEFAULT_COMMISSION_BPS = 1000;
export const MAX_COMMISSION_BPS = 5000;
const BPS_DENOMINATOR = 10_000;

export interface TipSplit {
  amount: number;
  ourCommission: number;
  providerFee: number;
  recipientShare: number;
}

/** Whole Stars from TIP_MIN to TIP_MAX. */
export function isValidTipAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= TIP_MIN && amount <= TIP_MAX;
}

/** Whole basis points from 0 to MAX_COMMISSION_BPS (50%). */
export function isValidCommissionBps(bps: number): boolean {
  return Number.isSafeInteger(bps) && bps >= 0 && bps <= MAX_COMMISSION_BPS;
}

/** Splits a tip; throws RangeError on an amount or rate the callers must have validated. */
export function splitTip(amount: number, commissionBps: number = DEFAULT_COMMISSION_BPS): TipSplit {
  if (!isValidTipAmount(amount)) {
    throw new RangeError(`tip amount must be a whole number of Stars from ${TIP_MIN} to ${TIP_MAX}`);
  }
  if (!isValidCommissionBps(commissionBps)) {
    throw new RangeError(`commission must be whole basis points from 0 to ${MAX_COMMISSION_BPS}`);
  }
  // amount × bps ≤ 2500 × 5000, far inside exact double arithmetic.
  const ourCommission = Math.max(0, Math.floor((amount * commissionBps) / BPS_DENOMINATOR));
  const providerFee = 0;
  return { amount, ourCommission, providerFee, recipientShare: amount - ourCommission - providerFee };
}
