import type { AnyProcedure } from "@trpc/server";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import type { ZodObject, ZodType } from "zod";
import type { ProcedureMeta } from "../trpc/init.js";

type Openapi = NonNullable<ProcedureMeta["openapi"]>;

const typeOf = (schema: unknown) => (schema as { _zod?: { def: { type: string } } } | undefined)?._zod?.def.type;

/**
 * Operations whose body is a union (`submissions.create`: one shape per `subject`). The
 * generator only takes object inputs, so these are written here from the same meta, input and
 * output, for zod-openapi to turn into a `oneOf` of named components. `skip` is what the
 * generator must leave out.
 */
export function unionBodyOperations(procedures: Record<string, AnyProcedure>): { paths: ZodOpenApiPathsObject; skip: Set<Openapi> } {
  const paths: ZodOpenApiPathsObject = {};
  const skip = new Set<Openapi>();
  for (const [procedurePath, procedure] of Object.entries(procedures)) {
    const openapi = (procedure._def.meta as ProcedureMeta | undefined)?.openapi;
    const input = (procedure._def.inputs as unknown[])[0];
    if (!openapi || procedure._def.type !== "mutation" || typeOf(input) !== "union") continue;
    if (openapi.path.includes("{")) throw new Error(`${procedurePath}: a union body cannot also carry path parameters`);
    const output = (procedure._def as { output?: unknown }).output;
    const operation: ZodOpenApiOperationObject = {
      operationId: openapi.operationId ?? procedurePath.replace(/\./g, "-"),
      ...(openapi.summary ? { summary: openapi.summary } : {}),
      ...(openapi.description ? { description: openapi.description } : {}),
      ...(openapi.tags ? { tags: openapi.tags } : {}),
      ...(openapi.protect === false ? {} : { security: [{ Authorization: [] }] }),
      ...(openapi.requestHeaders ? { requestParams: { header: openapi.requestHeaders as ZodObject } } : {}),
      requestBody: { required: true, content: { "application/json": { schema: input as ZodType } } },
      responses: {
        "200": {
          description: openapi.successDescription ?? "Successful response",
          content: { "application/json": { schema: output as ZodType } },
        },
      },
    };
    const path = `/${openapi.path.replace(/^\/+|\/+$/g, "")}` as `/${string}`;
    paths[path] = { ...paths[path], [openapi.method.toLowerCase()]: operation };
    skip.add(openapi);
  }
  return { paths, skip };
}
