import type { MatchVariant } from "../../domain/matching/topics.ts";

/** Matching's numbers, stream names and result shapes. */
export const MATCH_STREAM = "match.find";
export const MATCH_GROUP = "matchers";
export const MATCH_DEAD_STREAM = "match.dead";
export const SEARCH_TTL_MS = 24 * 60 * 60 * 1000;
export const PROPOSAL_TTL_MS = 5 * 60 * 1000;
export const DECLINE_COOLDOWN_MS = 72 * 60 * 60 * 1000;
export const MAX_REQUEUES = 2;
/** A search that found nobody is looked at again after this long (new people, new hours). */
export const RETRY_AFTER_MS = 30 * 1000;

export type SearchRefusal =
  | "not_registered"
  | "banned"
  | "suspended"
  | "in_chat"
  | "has_proposal"
  | "profile_incomplete";

export interface ProposalSide {
  userId: number;
  tgId: number | null;
  /** What this side is shown about the other. */
  peer: {
    userId: number;
    nickname: string;
    bio: string | null;
    /** Up to 3 topics both chose; when they share none (the soft variant), the peer's related ones. */
    sharedTopicIds: number[];
    /** The topics are the peer's in the same groups as this side's, not the same topics. */
    topicsRelated: boolean;
  };
}

export interface Proposal {
  matchId: number;
  variant: MatchVariant;
  score: number;
  a: ProposalSide;
  b: ProposalSide;
}

export type DecisionOutcome =
  | { kind: "waiting"; matchId: number }
  | { kind: "started"; matchId: number; sessionId: number; userIds: [number, number] }
  | { kind: "declined"; matchId: number; declinedBy: number; other: number; otherRequeued: boolean }
  | { kind: "stale" };

export interface ExpiredProposal {
  matchId: number;
  requeued: number[];
  dropped: number[];
}

export interface MatchingMetrics {
  proposalsSent(variant: string): void;
  accepted(variant: string): void;
  declined(variant: string): void;
  expired(variant: string): void;
  selectMs(variant: string, ms: number): void;
  timeToProposalMs(variant: string, ms: number): void;
}

export const noMetrics: MatchingMetrics = {
  proposalsSent() {},
  accepted() {},
  declined() {},
  expired() {},
  selectMs() {},
  timeToProposalMs() {},
};
