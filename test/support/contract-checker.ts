import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }> };
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
};

/**
 * Checks every JSON answer a typed client receives against the response schema the document declares.
 * Register its middleware last: onResponse runs last-registered first, so it sees error answers too.
 */
export function contractChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const checked: string[] = [];
  const violations: string[] = [];
  return {
    checked,
    violations,
    middleware: {
      async onResponse({
        request,
        response,
        schemaPath,
      }: {
        request: Request;
        response: Response;
        schemaPath: string;
      }) {
        const method = request.method.toLowerCase();
        const declared = document.paths[schemaPath]?.[method]?.responses[String(response.status)];
        const schema = declared?.content?.['application/json']?.schema;
        if (schema === undefined) {
          if (response.ok) violations.push(`${method} ${schemaPath} ${response.status}: not declared`);
          return undefined;
        }
        const body: unknown = await response.clone().json();
        const validate = ajv.compile({ ...schema, components: document.components });
        if (!validate(body)) {
          violations.push(`${method} ${schemaPath} ${response.status}: ${ajv.errorsText(validate.errors)}`);
        }
        checked.push(`${method} ${schemaPath} ${response.status}`);
        return undefined;
      },
    },
  };
}
