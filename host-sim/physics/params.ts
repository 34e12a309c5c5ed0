// The physical model's numbers, in SI units, taken from a board (its typical values, or a pen drawn
// from the board's ranges with drawPen). One place converts the board file's units.
import { Board, Cartridge, RangeValue } from '../../boards/board.js';

export interface PhysicsParams {
  /** pole pairs: 4 full steps are one electrical cycle (50 for a 1.8 degree hybrid) */
  polePairs: number;
  microsteps: number;
  /** carriage travel per radian of motor shaft (m/rad) */
  leadPerRadM: number;
  /** rotor and screw inertia (kg m^2): motor side of the screw, no efficiency applies to it */
  rotorInertiaKgM2: number;
  /** carriage and cartridge (kg): load side of the screw */
  carriageKg: number;
  /** torque per amp of the current vector (Nm/A), also the back-EMF constant (V s/rad) */
  ktNmPerA: number;
  /** peak of the phase current the driver regulates to (A): sqrt 2 x the RMS setting */
  currentPeakA: number;
  phaseResistanceOhm: number;
  phaseInductanceH: number;
  busV: number;
  rdsonOhm: number;
  detentNm: number;
  /** damping of the rotor's motion relative to the field, driver on (Nm s/rad) */
  fieldDampingNmsPerRad: number;
  /** viscous drag on the shaft's absolute speed, driver on or off (Nm s/rad) */
  dragNmsPerRad: number;
  /** lead screw: motor drives the nut, and the load drives the motor */
  etaDrive: number;
  etaBack: number;
  /** Coulomb friction of the nut and guide (N) */
  nutDragN: number;
  springPreN: number;
  springRateNPerM: number;
  /** per needle: force at which the skin gives (N), for tissue 'normal'; depth at which it gives (m) */
  punctureN: number;
  punctureDepthM: number;
  /** per needle, after puncture: cutting force while going in, share of the puncture force */
  cutShare: number;
  /** per needle: shaft friction per metre of depth (N/m) */
  shaftFrictionNPerM: number;
  windingRthCPerW: number;
  windingTauS: number;
  driverRthCPerW: number;
  driverTauS: number;
  ambientC: number;
  /** full steps after a reversal in which StallGuard reads nothing valid */
  stallguardBlindFullSteps: number;
  stallguardMinFullStepsS: number;
  /** positions (m from the endstop) */
  rearStopM: number;
  frontStopM: number;
  guardM: number;
  stepM: number;
}

/** copper's temperature coefficient of resistance (1/K), IEC 60228 annealed copper */
export const COPPER_ALPHA_PER_K = 0.00393;
/** reference temperature of the datasheet's phase resistance (deg C) */
export const R_REFERENCE_C = 20;
/** cutting force after puncture as a share of the puncture force (estimate: the force drops as the skin gives) */
const CUT_SHARE = 0.5;

const typ = (r: RangeValue | undefined, fallback: number): number => (r === undefined ? fallback : r.typical);

/**
 * The puncture force's range is for standard tips, whose cartridges are specified at its highest (the
 * cartridges' needle_force_mN, 40 mN on the reference pen). A cartridge specified lower (finer tips:
 * the nano cartridge, 5 mN) has the range scaled by its share of that highest: an estimate, as no
 * range of its own is published.
 */
function tipShare(r: RangeValue | undefined, c: Cartridge): number {
  return r !== undefined && c.needle_force_mN < r.max ? c.needle_force_mN / r.max : 1;
}

export function physicsParams(b: Board, c: Cartridge): PhysicsParams {
  const m = b.motor;
  const ph = b.physics;
  const leadPerRadM = b.drive.lead_mm / 1000 / (2 * Math.PI);
  const polePairs = m.full_steps_per_rev / 4;
  const ktNmPerA = m.holding_torque_mNm / 1000 / (Math.SQRT2 * m.rated_current_A);
  const currentPeakA = Math.SQRT2 * m.rated_current_A;
  const rotorInertiaKgM2 = (m.rotor_inertia_gcm2 + b.drive.screw_inertia_gcm2) * 1e-7;
  const carriageKg = (b.carriage.mass_g + c.mass_g) / 1000;
  const detentNm = typ(ph?.detent_torque_mNm, 0) / 1000;
  // damping from a damping ratio of the small oscillation about a held position
  const stiffness = ktNmPerA * currentPeakA * polePairs + 4 * polePairs * detentNm;
  const inertia = rotorInertiaKgM2 + carriageKg * leadPerRadM ** 2;
  const zeta = typ(ph?.damping_ratio, 0.05);
  // the ratio is measured on the small oscillation about a held field, where both terms act: the
  // drag on the absolute speed is part of it, the rest acts only relative to the field
  const dampingNmsPerRad = 2 * zeta * Math.sqrt(stiffness * inertia);
  const dragNmsPerRad = Math.min(typ(ph?.rotor_drag_uNms_per_rad, 0) * 1e-6, dampingNmsPerRad);
  const g = b.geometry;
  return {
    polePairs,
    microsteps: b.driver.microsteps,
    leadPerRadM,
    rotorInertiaKgM2,
    carriageKg,
    ktNmPerA,
    currentPeakA,
    phaseResistanceOhm: m.phase_resistance_ohm,
    phaseInductanceH: m.phase_inductance_mH / 1000,
    busV: b.driver.supply_V,
    rdsonOhm: b.driver.rdson_ohm,
    detentNm,
    fieldDampingNmsPerRad: dampingNmsPerRad - dragNmsPerRad,
    dragNmsPerRad,
    etaDrive: b.drive.efficiency,
    etaBack: typ(ph?.back_drive_efficiency, b.drive.efficiency),
    nutDragN: b.carriage.friction_N,
    springPreN: b.carriage.return_spring_preload_N,
    springRateNPerM: b.carriage.return_spring_rate_N_per_mm * 1000,
    punctureN: (typ(ph?.needle_puncture_mN, 25) / 1000) * tipShare(ph?.needle_puncture_mN, c),
    punctureDepthM: typ(ph?.puncture_depth_um, 160) * 1e-6,
    cutShare: CUT_SHARE,
    shaftFrictionNPerM: typ(ph?.shaft_friction_mN_per_mm, 0), // mN/mm = N/m
    windingRthCPerW: typ(ph?.winding_thermal_resistance_C_per_W, 16),
    windingTauS: typ(ph?.winding_thermal_time_constant_s, 600),
    driverRthCPerW: b.driver.thermal_resistance_C_per_W,
    driverTauS: b.driver.thermal_time_constant_s,
    ambientC: 25,
    stallguardBlindFullSteps: ph?.stallguard_blind_full_steps ?? 1,
    stallguardMinFullStepsS: b.driver.stallguard_min_full_steps_s,
    rearStopM: g.rear_stop_um * 1e-6,
    frontStopM: g.front_stop_um * 1e-6,
    guardM: (g.retract_um + g.clearance_um) * 1e-6,
    stepM: b.drive.lead_mm / 1000 / (m.full_steps_per_rev * b.driver.microsteps),
  };
}
