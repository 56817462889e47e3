/**
 * The services' entry point: `createServices` and its types, wired by domain under
 * `src/services/` (core, delivery, factors, flows, accounts, admin).
 */
export { createServices } from './services/index.js';
export type {
  Dependency,
  Logger,
  RouteServices,
  ServiceOptions,
  Services,
} from './services/index.js';
