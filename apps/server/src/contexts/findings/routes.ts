// PLACEHOLDER until the findings context lands: registers no routes yet.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerFindingRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
