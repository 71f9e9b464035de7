/**
 * The dashboard's static files: the page, its script and style from ./static, and uPlot from
 * node_modules (served by tide itself, never from a CDN: the machine may be offline).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { codePath } from '../../package-root.js';

const STATIC = codePath('observe/dashboard/static');
const require = createRequire(import.meta.url);
const UPLOT_DIR = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

/** URL path → [file, content type]; read once at start (they are small). */
export const ASSETS: Record<string, [string, string]> = {
  '/': [join(STATIC, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(STATIC, 'app.js'), 'text/javascript; charset=utf-8'],
  '/chart.js': [join(STATIC, 'chart.js'), 'text/javascript; charset=utf-8'],
  '/app.css': [join(STATIC, 'app.css'), 'text/css; charset=utf-8'],
  '/vendor/uPlot.iife.min.js': [
    join(UPLOT_DIR, 'uPlot.iife.min.js'),
    'text/javascript; charset=utf-8',
  ],
  '/vendor/uPlot.min.css': [join(UPLOT_DIR, 'uPlot.min.css'), 'text/css; charset=utf-8'],
};

/** The chart script and uPlot, for pages that inline them (`tide simulate --html`). */
export function chartAssets(): { uplotJs: string; uplotCss: string; chartJs: string; css: string } {
  return {
    uplotJs: readFileSync(join(UPLOT_DIR, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(join(UPLOT_DIR, 'uPlot.min.css'), 'utf8'),
    chartJs: readFileSync(join(STATIC, 'chart.js'), 'utf8'),
    css: readFileSync(join(STATIC, 'app.css'), 'utf8'),
  };
}
