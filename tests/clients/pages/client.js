// What a web application on another origin does with the Partners API: read a filtered
// page with its headers, read one organization's ETag, create one with a key (a request
// that needs a CORS preflight). Each call resolves to {ok, value} or {ok: false, error}.
"use strict";

async function readDirectory(api) {
  const query = "region=africa&sector=academia&sector=civil_society&page_size=3";
  const list = await fetch(`${api}/api/v1/organizations?${query}`);
  const organizations = await list.json();
  const one = await fetch(`${api}/api/v1/organizations/${organizations[0].slug}`);
  return {
    status: list.status,
    slugs: organizations.map((organization) => organization.slug),
    pagination: list.headers.get("X-Pagination"),
    link: list.headers.get("Link"),
    requestId: list.headers.get("X-Request-ID"),
    rateLimit: list.headers.get("X-RateLimit-Limit"),
    // Sent on every answer but not exposed to other origins: the browser hides it.
    frameOptions: list.headers.get("X-Frame-Options"),
    etag: one.headers.get("ETag"),
  };
}

async function createOrganization(api, key, name) {
  const response = await fetch(`${api}/api/v1/organizations`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${key}`,
      "Content-Type": "application/json",
      "X-Request-ID": "browser-create-0001",
    },
    body: JSON.stringify({ name, sector: "civil_society", country: "GH" }),
  });
  return {
    status: response.status,
    location: response.headers.get("Location"),
    etag: response.headers.get("ETag"),
    requestId: response.headers.get("X-Request-ID"),
    body: await response.json(),
  };
}

async function attempt(work) {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: `${error.name}: ${error.message}` };
  }
}

window.partnersClient = { readDirectory, createOrganization, attempt };
