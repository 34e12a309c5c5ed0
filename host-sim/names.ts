// Names of the firmware's enums as the HAL reports them (docs/hal-abi.md).
export const STATES = ['off', 'homing', 'ready', 'running', 'paused', 'fault'] as const;
export type StateName = (typeof STATES)[number];
export const FAULTS = ['none', 'stall', 'driver_overtemp', 'driver_short', 'queue_underrun', 'endstop_not_found',
  'endstop_stuck', 'watchdog_reset', 'driver_undervoltage', 'plan', 'firmware_reset', 'battery_low', 'lost_steps', 'stuck_button', 'cartridge_removed'] as const;
export const CLAMPS = ['none', 'torque', 'step_rate'] as const;
export const CLAMP_WHY: Record<string, string> = {
  none: '',
  torque: 'the motor has not the force for this depth at this rate (pull-out torque at that speed, less the margin)',
  step_rate: 'the step rate would pass the driver and timer limit',
};
export const INDICATORS = ['off', 'homing', 'ready', 'running', 'paused', 'fault', 'refused'] as const;
export const BUTTONS = ['power', 'start', 'depth_up', 'depth_down', 'speed_up', 'speed_down'] as const;
export type ButtonName = (typeof BUTTONS)[number];
