// PLACEHOLDER until the advisories context lands: registers no routes yet.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerAdvisoryRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
