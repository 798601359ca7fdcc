// The public view of a supervisor's containment (`sup.containment`, `runwarden status`).
import type { Containment } from '../os/cgroup/containment.js';
import type { ContainmentInfo } from '../types.js';

export function containmentInfo(held: Containment): ContainmentInfo {
  return held.mode === 'cgroup'
    ? {
        mode: 'cgroup',
        reason: held.reason,
        cgroupArea: held.area,
        kernelLimits: held.controllers.enabled,
      }
    : { mode: 'marker', reason: held.reason, cgroupArea: null, kernelLimits: [] };
}
