// Where the tests find the page's modules and the shared vectors.
import { readFileSync } from "node:fs";

export const STATIC = new URL("../../../api/web/static/", import.meta.url);
export const VECTORS = new URL("../../vectors/", import.meta.url);

/** The JSON fixture file pytest wrote for this run (INFRALEDGER_WEB_FIXTURE). */
export function pytestFixture() {
  const path = process.env.INFRALEDGER_WEB_FIXTURE;
  if (!path) throw new Error("INFRALEDGER_WEB_FIXTURE is not set: run these tests through pytest");
  return JSON.parse(readFileSync(path, "utf8"));
}
