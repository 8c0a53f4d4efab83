import { resolve } from 'node:path';

declare const __SWITCHYARD_ROOT__: string | undefined;

/**
 * The package's root folder. bin/switchyard.mjs defines it when it bundles the sources (the
 * bundle may live in a temporary folder); running from source, this file sits in src/.
 */
export const PACKAGE_ROOT: string =
  typeof __SWITCHYARD_ROOT__ === 'string' ? __SWITCHYARD_ROOT__ : resolve(import.meta.dirname, '..');
