import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  SOS_KINDS,
  SOS_STALE_AFTER_MONTHS,
  type SosEntry,
  type SosInput,
  type SosService,
  type SosWriteResult,
} from "../../../services/sos.ts";
import { errorResponses, HttpProblem } from "../../errors.ts";
import { dateTime, serialIdParams, text, wordOf } from "../../schemas.ts";
import { adminDoc } from "./shared.ts";

/** The crisis hotline directory the bot's SOS button shows: list, add, change, retire, re-verify. */
export interface SosRoutesOptions {
  sos: SosService;
  /** For the stale flag of SOS entries; defaults to the SOS service's clock. */
  now?: () => Date;
}

const sosSchema = z.object({
  id: z.number().int(),
  country: z.string(),
  name: z.string(),
  phone: z.string(),
  description: z.string().nullable().optional(),
  hours: z.string().nullable().optional(),
  source: z.string(),
  verified_at: dateTime,
  sort_order: z.number().int().optional(),
  kind: wordOf(SOS_KINDS).optional(),
  russian_speaking: z.boolean().optional(),
  active: z.boolean(),
  updated_at: dateTime.optional(),
  needs_verification: z.boolean().describe(`Not verified within ${SOS_STALE_AFTER_MONTHS} months`),
});

const sosFields = {
  country: z.string().regex(/^([A-Z]{2}|[*])$/),
  name: text(160, 1),
  phone: z.string().regex(/^[0-9 +\-()]{3,64}$/),
  description: text(400).nullable(),
  hours: text(64).nullable(),
  source: text(400, 1),
  sort_order: z.number().int().min(0).max(1000),
  active: z.boolean(),
  kind: z.enum(SOS_KINDS).describe("emergency (112, ambulance) or a support line"),
  russian_speaking: z.boolean().describe("The line answers in Russian"),
};

const createBody = z.strictObject({
  ...sosFields,
  description: sosFields.description.optional(),
  hours: sosFields.hours.optional(),
  sort_order: sosFields.sort_order.optional(),
  active: sosFields.active.optional(),
  kind: sosFields.kind.optional(),
  russian_speaking: sosFields.russian_speaking.optional(),
});

const patchBody = createBody
  .partial()
  .refine((body) => Object.keys(body).length > 0, "at least one field")
  .meta({ minProperties: 1 });

type SosBody = z.output<typeof patchBody>;

/** The API's snake_case fields as the service's input; absent fields stay absent (a patch). */
function toSosInput(body: SosBody): Partial<SosInput> {
  const out: Partial<SosInput> = {};
  if (body.country !== undefined) out.country = body.country;
  if (body.name !== undefined) out.name = body.name;
  if (body.phone !== undefined) out.phone = body.phone;
  if (body.description !== undefined) out.description = body.description;
  if (body.hours !== undefined) out.hours = body.hours;
  if (body.source !== undefined) out.source = body.source;
  if (body.sort_order !== undefined) out.sortOrder = body.sort_order;
  if (body.active !== undefined) out.active = body.active;
  if (body.kind !== undefined) out.kind = body.kind;
  if (body.russian_speaking !== undefined) out.russianSpeaking = body.russian_speaking;
  return out;
}

function toSosReply(e: SosEntry, needsVerification: boolean) {
  return {
    id: e.id,
    country: e.country,
    name: e.name,
    phone: e.phone,
    description: e.description,
    hours: e.hours,
    source: e.source,
    verified_at: e.verifiedAt.toISOString(),
    sort_order: e.sortOrder,
    kind: e.kind,
    russian_speaking: e.russianSpeaking,
    active: e.active,
    updated_at: e.updatedAt.toISOString(),
    needs_verification: needsVerification,
  };
}

/** A write's entry, or why not as the error contract (invalid fields, a duplicate number, no such entry). */
function entryOrProblem(res: SosWriteResult): SosEntry {
  if (res.ok) return res.entry;
  if (res.reason === "invalid") throw new HttpProblem(400, "bad_request", "Invalid entry", res.problems);
  if (res.reason === "duplicate") {
    throw new HttpProblem(409, "duplicate", "This country already has this number (maybe inactive)");
  }
  throw new HttpProblem(404, "not_found", "No such SOS entry");
}

export const sosRoutes: FastifyPluginAsyncZod<SosRoutesOptions> = async (app, opts) => {
  const { sos } = opts;

  /** An entry as answered: stale when not verified within the window, by the injected clock if any. */
  const sosOut = (e: SosEntry) => toSosReply(e, sos.needsVerification(e, opts.now?.()));
  const entryOf = (res: SosWriteResult) => sosOut(entryOrProblem(res));

  app.get(
    "/admin/sos",
    {
      schema: {
        ...adminDoc,
        summary: `Crisis hotlines (inactive too); stale=true lists only those not verified within ${SOS_STALE_AFTER_MONTHS} months`,
        querystring: z.strictObject({ stale: z.enum(["true", "false"]).optional() }),
        response: { 200: z.object({ items: z.array(sosSchema) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const items = (await sos.list()).map(sosOut);
      return { items: request.query.stale === "true" ? items.filter((e) => e.needs_verification) : items };
    },
  );

  app.post(
    "/admin/sos",
    {
      schema: {
        ...adminDoc,
        summary: "Add a hotline; it counts as verified now at the given source",
        body: createBody,
        response: { 201: sosSchema, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const { country, name, phone, source } = request.body;
      const input: SosInput = { ...toSosInput(request.body), country, name, phone, source };
      return reply.code(201).send(entryOf(await sos.create(input)));
    },
  );

  app.patch(
    "/admin/sos/:id",
    {
      schema: {
        ...adminDoc,
        summary: "Change a hotline (changing the number keeps the old one as an inactive entry)",
        params: serialIdParams,
        body: patchBody,
        response: { 200: sosSchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => entryOf(await sos.update(request.params.id, toSosInput(request.body))),
  );

  app.delete(
    "/admin/sos/:id",
    {
      schema: {
        ...adminDoc,
        summary: "Take a hotline out of what people see (kept inactive so the seed does not bring it back)",
        params: serialIdParams,
        response: { 200: sosSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => entryOf(await sos.remove(request.params.id)),
  );

  app.post(
    "/admin/sos/:id/verify",
    {
      schema: {
        ...adminDoc,
        summary: "Record that the number was checked today at `source`",
        params: serialIdParams,
        body: z.strictObject({ source: sosFields.source }),
        response: { 200: sosSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => entryOf(await sos.markVerified(request.params.id, { source: request.body.source })),
  );
};
