/**
 * Fastify's own validator (Ajv) and serializer (fast-json-stringify) compilers, remembered per
 * process: a route's schema compiles once, however many app instances are built (tests build
 * hundreds; a server builds one). Compiling is most of what `build()` costs. The key is the
 * schema's JSON with the compiler's inputs (shared schemas, options, the part or status it is
 * for), so two equal schemas share one function and nothing else can.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;

const validatorFactory = AjvCompiler() as unknown as ValidatorFactory;
const serializerFactory = SerializerSelector() as unknown as SerializerFactory;
const compiled = new Map<string, unknown>();

function remembered<T>(key: string, compile: () => T): T {
  let fn = compiled.get(key) as T | undefined;
  if (fn === undefined) {
    fn = compile();
    compiled.set(key, fn);
  }
  return fn;
}

export const compilersFactory: Factories = {
  buildValidator(externalSchemas, options) {
    const compile = validatorFactory(externalSchemas, options);
    const inputs = `v${JSON.stringify(externalSchemas)}${JSON.stringify(options?.customOptions)}`;
    return (route) =>
      remembered(`${inputs}${route.httpPart}${JSON.stringify(route.schema)}`, () => compile(route));
  },
  buildSerializer(externalSchemas, options) {
    const compile = serializerFactory(externalSchemas, options);
    const inputs = `s${JSON.stringify(externalSchemas)}${JSON.stringify(options)}`;
    return (route) => remembered(`${inputs}${JSON.stringify(route.schema)}`, () => compile(route));
  },
};
