/** Nest injection tokens of the shared configuration and Redis client (CoreModule provides them). */
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS');
