import type { VariantResult } from "./types.js";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function shortDigest(digest: string | undefined): string {
  return digest ? `${digest.slice(0, 19)}…` : "-";
}

/**
 * The summary table: image, tags (and a multi-platform image's platforms), status, duration,
 * digest (the index's for a multi-platform image; full digests are in --json and the lock).
 * DIGEST is the registry digest, or the local image id of an image built and not pushed; a
 * failed image has neither worth showing (a failed push's local id is not in the registry),
 * so its DIGEST is "-" and its failure is printed below the table.
 */
export function summaryTable(results: VariantResult[]): string {
  const smoked = results.some((r) => r.smoke !== undefined);
  const rows = [["IMAGE", "TAGS", "STATUS", ...(smoked ? ["SMOKE"] : []), "DURATION", "DIGEST"]];
  for (const r of results) {
    const smoke = smoked ? [r.smoke?.result ?? "-"] : [];
    const platforms = r.platforms ? ` (${Object.keys(r.platforms).join(", ")})` : "";
    rows.push([r.repository, `${r.tags.join(",")}${platforms}`, r.status, ...smoke, seconds(r.durationMs), r.status === "failed" ? "-" : shortDigest(r.digest ?? r.imageId)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
  const failed = results.filter((r) => r.status === "failed");
  for (const r of failed) lines.push("", `${r.id}: ${r.error ?? "failed"}`, ...(r.output ?? []).map((l) => `  | ${l}`));
  return `${lines.join("\n")}\n`;
}

export interface BuildSummaryDocument {
  ok: boolean;
  images: VariantResult[];
}

/** The --json document: the same results, nothing else. */
export function summaryDocument(results: VariantResult[]): BuildSummaryDocument {
  return { ok: results.every((r) => r.status !== "failed"), images: results };
}
