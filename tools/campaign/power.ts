// Whether this simulator can cut the supply (`inject: power_cut`): campaigns sweep power cuts only then.
import { PenSim } from '../../host-sim/pen.js';

export function powerCutAvailable(): boolean {
  const p = PenSim.prototype as unknown as Record<string, unknown>;
  return typeof p.powerCut === 'function' && typeof p.powerRestore === 'function';
}
