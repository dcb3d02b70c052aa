// PLACEHOLDER until the auth context lands: registers no routes yet.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerAuthRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
