import type { ZodOpenApiPathsObject } from "zod-openapi";
import { TUTOR_STREAM_PATH } from "./tutor-stream.route.js";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
});

const EVENTS = [
  "Events (`event:` name, JSON `data:`, increasing `id:`):",
  "`message.start {turn_id, hint_level}`, `message.delta {content}` (markdown to append),",
  "`message.end {finish_reason, tokens}` (`tokens` null when unknown), `error {code, message}`",
  '(`code` e.g. `UPSTREAM_ERROR`, `UPSTREAM_TIMEOUT`, `SHUTDOWN`, `EVENTS_EXPIRED` when resuming after events that were dropped); `ping` every 15 s while idle. The stream ends after `message.end` or `error`.',
].join(" ");

/** The SSE route in the OpenAPI document (the REST adapter only knows JSON operations). */
export const tutorStreamOpenApiPaths: ZodOpenApiPathsObject = {
  [TUTOR_STREAM_PATH]: {
    get: {
      operationId: "tutor-streamSse",
      tags: ["tutor"],
      summary: "Stream a tutor turn as Server-Sent Events",
      description: `Authenticated by the stream token of \`POST /v1/tutor/messages\` (an EventSource cannot send headers). ${EVENTS} Reconnect with \`Last-Event-ID\` to resume after that event, on any instance.`,
      parameters: [
        { name: "token", in: "query", required: true, description: "Stream token (5 minutes)", schema: { type: "string" } },
        { name: "Last-Event-ID", in: "header", required: false, description: "Resume after this event id", schema: { type: "string" } },
        { name: "lastEventId", in: "query", required: false, description: "Same as Last-Event-ID, for clients that cannot set headers", schema: { type: "string" } },
      ],
      responses: {
        "200": {
          description: "The event stream",
          content: { "text/event-stream": { schema: { type: "string", example: 'id: 1\nevent: message.delta\ndata: {"content":"Think about"}\n\n' } } },
        },
        "204": { description: "The turn is over and nothing follows Last-Event-ID (an EventSource stops reconnecting)" },
        "400": errorResponse("Last-Event-ID is not an id of this stream"),
        "401": errorResponse("Missing, invalid or expired stream token"),
        "404": errorResponse("Unknown turn, or its events have expired"),
        "429": errorResponse("Rate limited"),
        "500": errorResponse("Internal error"),
        "503": errorResponse("Shutting down or unavailable"),
      },
    },
  },
};
