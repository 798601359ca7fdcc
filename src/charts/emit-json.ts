// The chart model itself, as JSON, for tools that draw their own pictures.
import type { ChartModel } from './chart-model.js';

/** The chart as pretty-printed JSON. */
export function emitJson(chart: ChartModel): string {
  return `${JSON.stringify(chart, null, 2)}\n`;
}
