//! The `/proc` readers of `runtime --live` / `--self`: status, uid_map,
//! mountinfo (and the host-path mapping of binds, with the input as both
//! the container's and the host's table), cgroup lists, stat start times.
#![no_main]
use bulkhead_runtime::sources::{inside, live, procfs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = procfs::parse_status(&s);
    let m = procfs::parse_id_map(&s);
    let _ = procfs::inside_id(&m, 100_000);
    let (mounts, _) = procfs::parse_mountinfo(&s);
    let half = mounts.len() / 2;
    let _ = live::host_binds(&mounts[half..], &mounts[..half], "mountinfo");
    let _ = inside::host_mounts(&mounts, "mountinfo");
    let _ = procfs::root_mount(&mounts);
    let _ = procfs::parse_cgroup(&s);
    let _ = procfs::start_time(&s);
    let _ = procfs::decode_caps(&s);
});
