/**
 * Shared TypeBox schemas: they validate requests, shape responses (only declared fields are
 * serialised, so nothing secret leaks by accident) and feed the OpenAPI document. Routes import
 * them from here; they are kept by subject in `common-schemas.ts`, `passkey-schemas.ts` and
 * `flow-schemas.ts`, the error answers in `error-responses.ts`.
 */
export * from './common-schemas.js';
export * from './flow-schemas.js';
export * from './passkey-schemas.js';
export { sharedSchemas } from './shared-schemas.js';
export {
  codeSendErrors,
  ErrorBody,
  errors,
  oneTimeCodeErrors,
  passwordRuleErrors,
  phoneNumberErrors,
} from './error-responses.js';
