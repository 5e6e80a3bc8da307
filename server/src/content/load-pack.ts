import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { TrackDefinition } from "@co/shared";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { problems, tracks } from "../db/schema/index.js";
import { packFileSchema, type PackProblem } from "./pack-schema.js";

export const defaultContentDir = fileURLToPath(new URL("../../content", import.meta.url));

export interface ContentPack {
  tracks: TrackDefinition[];
  problems: PackProblem[];
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith(".json") ? [path] : [];
    });
}

/** Reads and validates every JSON file of the pack; fails naming the file and the field. */
export function readContentPack(dir = defaultContentDir): ContentPack {
  const pack: ContentPack = { tracks: [], problems: [] };
  for (const file of jsonFiles(dir)) {
    const parsed = packFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${relative(dir, file)}: ${issue.path.join(".")}: ${issue.message}`);
    }
    pack.tracks.push(...parsed.data.tracks);
    pack.problems.push(...parsed.data.problems);
  }
  const problemIds = new Set<string>();
  for (const problem of pack.problems) {
    if (problemIds.has(problem.id)) throw new Error(`Duplicate problem id '${problem.id}'`);
    problemIds.add(problem.id);
    if (!problem.track) continue;
    const track = pack.tracks.find((candidate) => candidate.slug === problem.track);
    if (!track) throw new Error(`Problem '${problem.id}' names unknown track '${problem.track}'`);
    if (problem.module && !track.modules.some((module) => module.id === problem.module)) {
      throw new Error(`Problem '${problem.id}' names unknown module '${problem.module}' of '${track.slug}'`);
    }
  }
  return pack;
}

/** `SET col = excluded.col` for each listed property of the problems table. */
const excludedColumns = (keys: (keyof typeof problems.$inferInsert)[]) =>
  Object.fromEntries(keys.map((key) => [key, sql.raw(`excluded."${problems[key].name}"`)]));

const hashOf = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/**
 * Upserts the pack: tracks by slug, problems by id. Rows whose content hash is unchanged
 * are left alone, so running it again writes nothing. Two statements, whatever the size.
 */
export async function seedContent(db: DbOrTx, pack: ContentPack): Promise<{ tracks: number; problems: number }> {
  if (pack.tracks.length === 0) return { tracks: 0, problems: 0 };
  const trackRows = await db
    .insert(tracks)
    .values(pack.tracks.map((track) => ({ ...track })))
    .onConflictDoUpdate({
      target: tracks.slug,
      set: {
        subject: sql`excluded.subject`,
        title: sql`excluded.title`,
        labels: sql`excluded.labels`,
        modules: sql`excluded.modules`,
        version: sql`excluded.version`,
      },
    })
    .returning({ id: tracks.id, slug: tracks.slug });
  const trackIdBySlug = new Map(trackRows.map((row) => [row.slug, row.id]));

  const positions = new Map<string, number>();
  const rows = pack.problems.map((problem) => {
    const moduleKey = `${problem.track}/${problem.module}`;
    const position = positions.get(moduleKey) ?? 0;
    positions.set(moduleKey, position + 1);
    return {
      id: problem.id,
      subject: problem.subject,
      title: problem.title,
      statement: problem.statement,
      difficulty: problem.difficulty,
      topics: problem.topics,
      outcomes: problem.outcomes,
      trackId: problem.track ? (trackIdBySlug.get(problem.track) ?? null) : null,
      module: problem.module,
      position,
      kind: problem.type,
      entrypoint: problem.entrypoint ?? null,
      compare: problem.compare ?? (problem.type === "coding" ? "exact" : null),
      visibleTests: problem.visible_tests ?? [],
      hiddenTests: problem.hidden_tests,
      referenceSolutions: problem.reference_solutions ?? null,
      expectedAnswer: problem.solution ?? null,
      tolerance: problem.tolerance ?? null,
      variables: problem.variables ?? null,
      hints: problem.hints,
      starterCode: problem.starter_code ?? null,
      contentHash: hashOf({ problem, position }),
    };
  });
  let written = 0;
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const changed = await db
      .insert(problems)
      .values(chunk)
      .onConflictDoUpdate({
        target: problems.id,
        set: excludedColumns(Object.keys(chunk[0]!).filter((key) => key !== "id") as (keyof typeof chunk[0])[]),
        setWhere: sql`${problems.contentHash} IS DISTINCT FROM excluded.content_hash`,
      })
      .returning({ id: problems.id });
    written += changed.length;
  }
  return { tracks: trackRows.length, problems: written };
}
