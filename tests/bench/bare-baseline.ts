import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";

/**
 * The comparison point of §14: plain `node:http` + postgres.js doing the same database
 * work as each benchmarked call, with no framework, auth, validation or limiter.
 */
export async function startBareBaseline(databaseUrl: string, defaultUser: string): Promise<{ url: string; close(): Promise<void> }> {
  const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
  const send = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: import("node:http").IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => resolve(text ? JSON.parse(text) : {}));
    });

  // No auth here: the caller is read from the token's payload unverified, so a connection of
  // its own learner writes that learner's rows, as on the CO.
  const userOf = (req: import("node:http").IncomingMessage) => {
    const payload = req.headers.authorization?.split(".")[1];
    return payload ? ((JSON.parse(Buffer.from(payload, "base64url").toString()) as { sub?: string }).sub ?? defaultUser) : defaultUser;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const userId = userOf(req);
    try {
      if (req.method === "GET" && url.pathname === "/tracks") {
        send(res, 200, { items: await sql`select * from tracks order by subject, slug` });
      } else if (req.method === "GET" && /^\/tracks\/[^/]+\/problems$/.test(url.pathname)) {
        const slug = url.pathname.split("/")[2]!;
        const items = await sql`select p.id, p.subject, p.title, p.kind as type, p.difficulty, p.topics, t.slug as track, p.module
          from problems p join tracks t on t.id = p.track_id where t.slug = ${slug} order by p.module, p.position, p.id`;
        send(res, 200, { items });
      } else if (req.method === "GET" && url.pathname.startsWith("/sessions/")) {
        const [row] = await sql`select * from sessions where id = ${url.pathname.slice(10)} and user_id = ${userId}`;
        send(res, row ? 200 : 404, row ?? {});
      } else if (req.method === "POST" && url.pathname === "/sessions") {
        const body = (await readBody(req)) as { problem_id: string; subject: string };
        const [row] = await sql`insert into sessions (user_id, subject, mode, problem_id) values (${userId}, ${body.subject}, 'practice', ${body.problem_id}) returning *`;
        send(res, 201, row);
      } else if (req.method === "POST" && url.pathname === "/submissions") {
        const body = (await readBody(req)) as { session_id: string; problem_id: string };
        const row = await sql.begin(async (tx) => {
          const [session] = await tx`select * from sessions where id = ${body.session_id} and user_id = ${userId}`;
          const [problem] = await tx`select topics, outcomes from problems where id = ${body.problem_id}`;
          const [inserted] = await tx`insert into submissions (session_id, user_id, problem_id, subject, status, payload_sha256)
            values (${session!.id}, ${userId}, ${body.problem_id}, 'math', 'passed', 'x') returning *`;
          // One set-based upsert in key order, as the CO writes mastery (no lock-order deadlocks).
          const topics = [...(problem!.topics as string[])].sort();
          await tx`insert into mastery (user_id, key_type, key_id, score, ema)
            select ${userId}, 'topic', key, 60, 0.6 from unnest(${topics}::text[]) as key order by key
            on conflict (user_id, key_type, key_id) do update set ema = mastery.ema + 0.2 * (1 - mastery.ema)`;
          return inserted;
        });
        send(res, 200, row);
      } else if (req.method === "GET" && url.pathname === "/batch") {
        const [tracks, mastery, sessions] = await Promise.all([
          sql`select * from tracks`,
          sql`select * from mastery where user_id = ${userId}`,
          sql`select * from sessions where user_id = ${userId} order by started_at desc limit 21`,
        ]);
        send(res, 200, [tracks, mastery, sessions]);
      } else {
        send(res, 404, {});
      }
    } catch (error) {
      send(res, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.end();
    },
  };
}
