import type { Module } from '../../../src/app';
import { widgetRoutes } from './routes';

/** Test-only module (never registered by `npm start`): exercises every kernel convention. */
export const widgetsModule: Module = { name: 'widgets', plugin: widgetRoutes };
