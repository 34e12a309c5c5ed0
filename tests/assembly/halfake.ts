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
