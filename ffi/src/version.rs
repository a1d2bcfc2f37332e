//! The library's version, as macros for the compiler and a string for the running library.
//!
//! The numbers are the crate's version (the workspace's); `version_macros_match_the_crate`
//! below fails if they drift apart.

use std::ffi::c_char;

/// Major version of the header (the macros describe the header you compiled against;
/// `allot_version()` describes the library you linked).
pub const ALLOT_VERSION_MAJOR: u32 = 0;
/// Minor version of the header.
pub const ALLOT_VERSION_MINOR: u32 = 1;
/// Patch version of the header.
pub const ALLOT_VERSION_PATCH: u32 = 0;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The version of the linked library, "MAJOR.MINOR.PATCH" (for example "0.1.0").
///
/// The string is static: never free it; it stays valid for the life of the process.
#[unsafe(no_mangle)]
pub extern "C" fn allot_version() -> *const c_char {
    crate::panic::guard_value(c"".as_ptr(), || VERSION.as_ptr().cast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_the_crate() {
        assert_eq!(ALLOT_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(ALLOT_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(ALLOT_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        // SAFETY: a static NUL-terminated string.
        let version = unsafe { std::ffi::CStr::from_ptr(allot_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
