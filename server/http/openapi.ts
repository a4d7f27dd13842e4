/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
import { z } from 'zod';
import { ROUTES } from './routes';

type Json = Record<string, unknown>;

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function schemaOf(schema: z.ZodType): Json {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  // Registered schemas inside (an array of Chapter…) point at the components.
  const { $defs: _defs, ...inline } = strip(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);
  return JSON.parse(JSON.stringify(inline).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as Json;
}

export function openApiDocument(): Json {
  const components = z.toJSONSchema(z.globalRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of ROUTES) {
    const parameters = [
      ...Object.entries(r.params ?? {}).map(([name, p]) => ({
        name,
        in: 'path',
        required: true,
        description: p.description,
        schema: schemaOf(p.schema),
      })),
      ...Object.entries(r.query ?? {}).map(([name, p]) => ({
        name,
        in: 'query',
        required: false,
        description: p.description,
        schema: schemaOf(p.schema),
      })),
      ...Object.entries(r.headers ?? {}).map(([name, h]) => ({
        name,
        in: 'header',
        required: h.required ?? false,
        description: h.description,
        schema: { type: 'string' },
      })),
    ];
    const responses = Object.fromEntries(
      Object.entries(r.responses).map(([status, resp]) => [
        status,
        {
          description: resp.description,
          ...(resp.schema
            ? {
                content: {
                  [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: {
                    schema: schemaOf(resp.schema),
                  },
                },
              }
            : {}),
        },
      ]),
    );
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(r.auth === false ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } } }
        : {}),
      ...(r.upload
        ? {
            requestBody: {
              required: true,
              description: r.upload.description,
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
          }
        : {}),
      ...(r.multipart
        ? {
            requestBody: {
              required: true,
              description: r.multipart.description,
              content: {
                'multipart/form-data': {
                  schema: {
                    type: 'object',
                    required: [r.multipart.field],
                    properties: { [r.multipart.field]: { type: 'string', format: 'binary' } },
                  },
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  paths['/api/openapi.json'] = {
    get: {
      summary: 'ce document',
      tags: ['service'],
      operationId: 'getOpenApi',
      security: [],
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cahier Coop – service de validation',
      version: '0.1.0',
      description:
        'Le cahier de comptabilité des coopératives scolaires : lignes, validation, historique. Montants en centimes.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).map(([k, v]) => [k, strip(v)])),
      securitySchemes: { jeton: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ jeton: [] }],
    paths,
  };
}
