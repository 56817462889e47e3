/**
 * Shared schemas named once (issue 12): `shared(schema)` keeps the schema, `$id` and all, for
 * `app.addSchema` (`sharedSchemas`, registered in `openapi.ts` before any route), and returns a
 * `{ $ref }` to it, typed as the schema. Routes and other schemas use the reference, so the
 * OpenAPI document holds the shape once under `components.schemas` (and the pages' generated
 * types once under `components['schemas']`), while validation and serialisation resolve it.
 * A schema given here must not also be embedded whole anywhere: only its reference may be; and
 * the module that gives it must be imported by `app.ts` (as every route module is) before build.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

const registered: TSchema[] = [];

/** Every schema `shared()` was given, in the order given (each after those it refers to). */
export const sharedSchemas: readonly TSchema[] = registered;

/** `schema` (which has an `$id`) by reference. */
export function shared<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  const id = schema.$id;
  if (!id) throw new Error('A shared schema needs an $id');
  if (registered.some((s) => s.$id === id)) throw new Error(`Shared schema ${id} given twice`);
  registered.push(schema);
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}
