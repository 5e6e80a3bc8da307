/**
 * Attributes a V8 CPU profile's samples to the layers of a request, so a profile reads as
 * "µs per request in auth, in validation, …". Each sample goes to the innermost frame that
 * belongs to a layer; Node's own modules and native frames are transparent (a socket write
 * made for postgres.js is the database's, not HTTP's), unless nothing above them decides.
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export const LAYERS = [
  "HTTP and adapter",
  "context",
  "auth",
  "rate limit",
  "validation",
  "query building",
  "database driver",
  "service logic",
  "serialization",
  "logging",
  "GC",
  "other",
] as const;
export type Layer = (typeof LAYERS)[number];

const RULES: [RegExp, Layer][] = [
  [/node_modules\/jose\/|\/auth\/token-|\/auth\/verified-token/, "auth"],
  [/\/adapters\/rate-limit\/|node_modules\/ioredis\/|node_modules\/@ioredis\/|node_modules\/redis-parser|node_modules\/denque/, "rate limit"],
  [/node_modules\/zod\//, "validation"],
  [/node_modules\/drizzle-orm\/|\/repositories\/|\/db\//, "query building"],
  [/node_modules\/postgres\//, "database driver"],
  [/node_modules\/superjson\/|node_modules\/copy-anything|node_modules\/is-what/, "serialization"],
  [/node_modules\/pino|node_modules\/sonic-boom|node_modules\/thread-stream|\/http\/request-context\.ts|\/logger\.ts/, "logging"],
  [/\/trpc\/context\.ts|\/http\/gate|\/auth\/request-gate/, "context"],
  [/\/services\/|\/adapters\//, "service logic"],
  [/node_modules\/|\/http\/|\/trpc\//, "HTTP and adapter"],
];

const isTransparent = (url: string) => url === "" || url.startsWith("node:");

function classify(frames: { functionName: string; url: string }[]): Layer {
  const leaf = frames[0]!;
  if (leaf.functionName === "(garbage collector)") return "GC";
  for (const frame of frames) {
    if (isTransparent(frame.url)) continue;
    const rule = RULES.find(([pattern]) => pattern.test(frame.url));
    if (!rule) return "other";
    // JSON.stringify / parse called by the transport itself is the response's serialization.
    if (rule[1] === "HTTP and adapter" && leaf.url === "" && /^(stringify|parse)$/.test(leaf.functionName)) return "serialization";
    return rule[1];
  }
  if (frames.some((frame) => /^node:(_http|net|stream|internal\/(http|stream|net))/.test(frame.url))) return "HTTP and adapter";
  return "other";
}

/** µs of CPU per request for each layer (idle time excluded). */
export function layerCosts(profile: CpuProfile, requests: number): Record<Layer, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const layerOfNode = new Map<number, Layer | null>();
  const layerOf = (id: number): Layer | null => {
    const known = layerOfNode.get(id);
    if (known !== undefined) return known;
    const frames = [];
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) frames.push(byId.get(current)!.callFrame);
    const name = frames[0]!.functionName;
    const layer = name === "(idle)" || name === "(root)" ? null : name === "(program)" ? "other" : classify(frames);
    layerOfNode.set(id, layer);
    return layer;
  };
  const totals = Object.fromEntries(LAYERS.map((layer) => [layer, 0])) as Record<Layer, number>;
  profile.samples.forEach((id, index) => {
    const layer = layerOf(id);
    if (layer) totals[layer] += profile.timeDeltas[index] ?? 0;
  });
  for (const layer of LAYERS) totals[layer] = Math.round((totals[layer] / requests) * 10) / 10;
  return totals;
}
