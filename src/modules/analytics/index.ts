import type { Module } from '../../app';
import { reportRoutes } from './routes';

/** Analytics (issue 6): reports computed from the other modules' facts, never from their tables. */
export const analyticsModule: Module = { name: 'analytics', plugin: reportRoutes };
