// A learner's first minutes, in the browser, through the client SDK: sign in with a token,
// list tracks, start a session, submit an attempt and read a tutor hint as it streams.
// Query string: `token` (a JWT, e.g. from `npm run token`), `api` (default http://127.0.0.1:8000).
import { createCoClient, streamHint, TRPCClientError } from "@co/client-sdk";

const params = new URLSearchParams(location.search);
const api = params.get("api") ?? "http://127.0.0.1:8000";
const token = params.get("token");

const element = (id: string) => document.getElementById(id)!;
const say = (text: string) => (element("status").textContent = text);

async function run() {
  if (!token) throw new Error("No token: open this page with ?token=<jwt> (npm run -s token -- --sub <user-id> prints one).");
  const co = createCoClient({ baseUrl: api, getToken: () => token });

  say("Loading tracks…");
  const { items: tracks } = await co.tracks.list.query({ subject: "coding" });
  element("tracks").replaceChildren(
    ...tracks.map((track) => Object.assign(document.createElement("li"), { textContent: `${track.title} (${track.modules.length} modules)` })),
  );
  const track = tracks[0];
  if (!track) throw new Error("The CO has no coding track.");

  say(`Starting a session on ${track.title}…`);
  const session = await co.sessions.create.mutate({ subject: "coding", mode: "track", track_id: track.id });
  if (!session.problem_id) throw new Error("The track has no problem left for this learner.");
  const problem = await co.problems.get.query({ id: session.problem_id });
  element("problem-title").textContent = problem.title;
  element("problem-statement").textContent = problem.statement;

  // The starter code as it is: a first attempt that the grader will most likely fail.
  const code = problem.starter_code?.javascript ?? "";
  element("attempt").textContent = code;
  say("Submitting the attempt…");
  const result = await co.submissions.create.mutate({
    session_id: session.id,
    problem_id: problem.id,
    subject: "coding",
    payload: { language: "javascript", code },
  });
  element("result").textContent = `Result: ${result.status}, ${result.visible.passed}/${result.visible.total} visible tests passed`;

  say("Asking the tutor for a hint…");
  const turn = await co.tutor.createMessage.mutate({ session_id: session.id, problem_id: problem.id, hint_level: 1 });
  const hint = element("hint");
  for await (const delta of streamHint(co, turn.turn_id)) {
    hint.append(Object.assign(document.createElement("span"), { className: "delta", textContent: delta }));
    hint.dataset.deltas = String(Number(hint.dataset.deltas) + 1);
  }
  say("Done.");
}

run().catch((error: unknown) => {
  const message = error instanceof TRPCClientError ? `${error.data?.app_code ?? "ERROR"}: ${error.message}` : String(error);
  const shown = element("error");
  shown.textContent = message;
  shown.hidden = false;
  say("Failed.");
});
