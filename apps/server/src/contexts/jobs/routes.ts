// PLACEHOLDER until the jobs context lands: registers no routes yet.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerJobRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
