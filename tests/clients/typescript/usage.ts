// A browser or Node client of the Partners API, typed by openapi-typescript from
// openapi/openapi.json and called through openapi-fetch. `tsc --strict` must accept it:
// paths, parameters, bodies, answers and headers all come from the spec, and the lines
// marked @ts-expect-error must stay errors (a misspelt filter, a sector that does not
// exist, a missing required field, a path the API does not have).
import createClient from "openapi-fetch";
import type { components, paths } from "partners-api-types";

type Schemas = components["schemas"];
export type Organization = Schemas["Organization"];
export type Partnership = Schemas["Partnership"];
export type Match = Schemas["Match"];
export type Problem = Schemas["Problem"];

type ListHeaders = paths["/api/v1/organizations"]["get"]["responses"][200]["headers"];
/** What the X-Pagination header carries, as the spec types it. */
export type Pagination = ListHeaders["X-Pagination"];
type CreatedHeaders = paths["/api/v1/organizations"]["post"]["responses"][201]["headers"];
type Etag = CreatedHeaders["ETag"];
type Sector = NonNullable<Organization["sector"]>;

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? "request failed");
  }
}

export function connect(baseUrl: string, key?: string) {
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  return createClient<paths>({ baseUrl, headers });
}
export type Client = ReturnType<typeof connect>;

function pagination(response: Response): Pagination {
  const raw = response.headers.get("X-Pagination");
  if (raw === null) throw new Error("a list without X-Pagination");
  return JSON.parse(raw) as Pagination;
}

function etag(response: Response): Etag {
  const value = response.headers.get("ETag");
  if (value === null) throw new Error("a resource without ETag");
  return value;
}

/** Links of a list (RFC 8288), by relation: first, prev, next, last. */
export function links(response: Response): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (response.headers.get("Link") ?? "").split(",")) {
    const match = /<([^>]*)>\s*;\s*rel="?([a-z]+)"?/.exec(part);
    if (match?.[1] !== undefined && match[2] !== undefined) found.set(match[2], match[1]);
  }
  return found;
}

export async function listAfricanGovernance(
  api: Client,
  page = 1,
): Promise<{ organizations: Organization[]; pagination: Pagination; next?: string }> {
  const sectors: Sector[] = ["academia", "civil_society"];
  const { data, error, response } = await api.GET("/api/v1/organizations", {
    params: {
      query: {
        region: ["africa"],
        topic: ["ai-governance"],
        sector: sectors,
        open_to_dialogue: true,
        sort: "-updated_at",
        page,
        page_size: 5,
      },
    },
  });
  if (error) throw new ApiError(error);
  const next = links(response).get("next");
  return { organizations: data, pagination: pagination(response), ...(next ? { next } : {}) };
}

export async function facetsByRegion(api: Client, region: string): Promise<Map<string, number>> {
  const { data, error } = await api.GET("/api/v1/organizations/facets", {
    params: { query: { region: [region] } },
  });
  if (error) throw new ApiError(error);
  return new Map((data.sector ?? []).map((facet) => [facet.value ?? "", facet.count ?? 0]));
}

export async function createThenRename(
  api: Client,
  city: string,
): Promise<{ organization: Organization; etag: Etag }> {
  const created = await api.POST("/api/v1/organizations", {
    body: {
      name: "Université Cheikh Anta Diop",
      sector: "academia",
      country: "SN",
      offers: ["linguistic-diversity"],
      seeks: ["compute-access"],
      languages: ["fr", "wo"],
    },
    headers: { "Idempotency-Key": "ucad-2025-1" },
  });
  if (created.error) throw new ApiError(created.error);
  const slug = created.data.slug;
  if (slug === undefined) throw new Error("an organization without slug");
  const patched = await api.PATCH("/api/v1/organizations/{ref}", {
    params: { path: { ref: slug }, header: { "If-Match": etag(created.response) } },
    body: { city },
  });
  if (patched.error) throw new ApiError(patched.error);
  return { organization: patched.data, etag: etag(patched.response) };
}

export async function proposeAndAccept(
  proposerApi: Client,
  partnerApi: Client,
  proposer: number,
  partner: number,
): Promise<Partnership> {
  const proposed = await proposerApi.POST("/api/v1/partnerships", {
    body: { proposer_id: proposer, partner_id: partner, kind: "research" },
  });
  if (proposed.error) throw new ApiError(proposed.error);
  const id = proposed.data.id;
  if (id === undefined) throw new Error("a partnership without id");
  const accepted = await partnerApi.POST("/api/v1/partnerships/{partnership_id}/accept", {
    params: { path: { partnership_id: id } },
  });
  if (accepted.error) throw new ApiError(accepted.error);
  return accepted.data;
}

export async function bestMatches(api: Client, ref: string): Promise<Match[]> {
  const { data, error } = await api.GET("/api/v1/organizations/{ref}/matches", {
    params: {
      path: { ref },
      query: { limit: 5, region: ["global-south"], w_reciprocity: 0.6, w_bridging: 0.4 },
    },
  });
  if (error) throw new ApiError(error);
  return data.matches ?? [];
}

export async function matchesForAProfile(api: Client): Promise<string[]> {
  const { data, error } = await api.POST("/api/v1/matches", {
    body: { seeks: ["model-evaluations"], offers: ["linguistic-diversity"], country: "KE" },
  });
  if (error) throw new ApiError(error);
  return (data.matches ?? []).flatMap((match) => match.reasons ?? []);
}

export async function exportCsv(api: Client): Promise<string> {
  const { data, error } = await api.GET("/api/v1/exports/organizations", {
    params: { query: { format: "csv", country: ["SN"] } },
    parseAs: "text",
  });
  if (error) throw new ApiError(error);
  return data;
}

export async function typeErrorsStayErrors(api: Client): Promise<void> {
  await api.GET("/api/v1/organizations", {
    // @ts-expect-error: no such filter
    params: { query: { colour: "blue" } },
  });
  await api.GET("/api/v1/organizations", {
    // @ts-expect-error: no such sector
    params: { query: { sector: ["aliens"] } },
  });
  // @ts-expect-error: country is required on create
  await api.POST("/api/v1/organizations", { body: { name: "No Country", sector: "media" } });
  // @ts-expect-error: the API spells it organizations
  await api.GET("/api/v1/organisations", {});
  await api.POST("/api/v1/partnerships/{partnership_id}/accept", {
    // @ts-expect-error: partnership ids are numbers
    params: { path: { partnership_id: "seven" } },
  });
}
