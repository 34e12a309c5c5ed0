/* The driver's enable pump: PA5 feeds a charge pump (a retriggerable monostable) in series with the
 * TMC2209's ENN line, so the outputs stay on only while the firmware toggles PA5 every control tick.
 * A hung firmware stops toggling: the outputs go off after the pump's hold time (board file
 * driver.enable_pump_hold_ms), whatever the enable pin says, and the spring retracts the needles long
 * before the watchdog resets the microcontroller. */
#ifndef ENABLE_PUMP_H
#define ENABLE_PUMP_H

/* PA5 an output, low (the pump discharged: outputs off until the first toggles). */
void enable_pump_init(void);
/* One edge on PA5: called with every watchdog kick, once per control tick. */
void enable_pump_toggle(void);

#endif
