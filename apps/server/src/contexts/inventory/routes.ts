// PLACEHOLDER until the inventory context lands: registers no routes yet.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerInventoryRoutes(_app: FastifyInstance, _ctx: ServerContext): void {}
