// Controls of the fake HAL that as-pect.config.js gives the firmware under test.
@external("halfake", "set_queue_status") export declare function set_queue_status(v: i32): void;
@external("halfake", "set_endstop_reachable") export declare function set_endstop_reachable(v: i32): void;
@external("halfake", "set_driver_status") export declare function set_driver_status(v: i32): void;
@external("halfake", "set_endstop") export declare function set_endstop(v: i32): void;
@external("halfake", "set_buttons") export declare function set_buttons(v: i32): void;
@external("halfake", "set_cartridge") export declare function set_cartridge(v: i32): void;
@external("halfake", "set_position") export declare function set_position(v: i32): void;
@external("halfake", "pushes") export declare function pushes(): i32;
/** forget the pushes counted so far */
@external("halfake", "reset_pushes") export declare function reset_pushes(): void;
/** steps pushed since reset_pushes(), toward the skin positive */
@external("halfake", "pushed_steps") export declare function pushed_steps(): i32;
/** pushes with no step or an interval below one tick anywhere in the segment */
@external("halfake", "bad_pushes") export declare function bad_pushes(): i32;
@external("halfake", "first_push_interval") export declare function first_push_interval(): i32;
@external("halfake", "last_push_flags") export declare function last_push_flags(): i32;
/** the interval of the last step of the last pushed segment */
@external("halfake", "last_push_final_interval") export declare function last_push_final_interval(): i32;
@external("halfake", "flushes") export declare function flushes(): i32;
@external("halfake", "driver_enabled") export declare function driver_enabled(): i32;
@external("halfake", "reported_state") export declare function reported_state(): i32;
@external("halfake", "reported_fault") export declare function reported_fault(): i32;
@external("halfake", "flash_wipe") export declare function flash_wipe(): void;
/** the n-th flash_program call from now tears (clears only some of its bits) */
@external("halfake", "flash_tear_write") export declare function flash_tear_write(n: i32): void;
@external("halfake", "flash_poke") export declare function flash_poke(offset: i32, value: u32): void;
// The timed step queue model (tests/assembly/fake-step-queue.js): while on, the hal.step_queue_*,
// step_position and now_ticks imports are its; the step queue vectors drive it.
/** model on: an idle, empty queue of `queue_len` slots at tick 0, refusing intervals below the minimum */
@external("halfake", "sq_model") export declare function sq_model(queue_len: i32, min_interval_ticks: i32, position: i32): void;
/** back to the scripted fake queue */
@external("halfake", "sq_off") export declare function sq_off(): void;
/** mode 0: never active; 1: active while the position is `value` or less; 2: from the `value`-th step on */
@external("halfake", "sq_endstop") export declare function sq_endstop(mode: i32, value: i32): void;
/** make every step due up to `ticks` */
@external("halfake", "sq_run_to") export declare function sq_run_to(ticks: i32): void;
@external("halfake", "sq_edges") export declare function sq_edges(): i32;
/** tick of the i-th step, -1 when there is none */
@external("halfake", "sq_edge_ticks") export declare function sq_edge_ticks(i: i32): i32;
/** direction of the i-th step: +1 toward the skin, -1 back, 0 when there is none */
@external("halfake", "sq_edge_dir") export declare function sq_edge_dir(i: i32): i32;
