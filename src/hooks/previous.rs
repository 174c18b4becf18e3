//! What earlier leakgate versions wrote, so `install` knows it for leakgate's own and
//! upgrades it in place instead of refusing it as somebody's edit.
//!
//! The install state records the digest of what was written, but only in the clone that ran
//! install: a husky block or a shim in a committed `core.hooksPath` directory reaches every
//! teammate's clone without it, and a lost `.git/leakgate/install.toml` loses it too. So
//! every text a leakgate version has shipped is listed here by SHA-256 (for the lefthook
//! entries, whose text depends on the surrounding YAML, the `run:` command instead).
//!
//! When `hooks/<file>` changes, add the digest of the text it had (`git show
//! HEAD:hooks/pre-commit | sha256sum`) to the list below.

use super::{sha256_hex, Hook};

/// SHA-256 of each `hooks/pre-commit` and `hooks/pre-push` text leakgate has shipped before
/// this one.
const SHIMS: &[(Hook, &str)] = &[
    (
        Hook::PreCommit,
        "6f606b27e37cd271dc115cb2e1c58c53d62bf8db53bd3646cab1e541286671be",
    ),
    (
        Hook::PreCommit,
        "fafc6f6f0dce7e496be1b2d8a128e46187d7e65b17d8566adcfc6ee44845b03f",
    ),
    (
        Hook::PreCommit,
        "0bca85f60a9a62c290e2a0eaae1763193c6c435cfc0b0efda7a3ab7c5ea98772",
    ),
    (
        Hook::PreCommit,
        "9147ebb6bcd417e7a6ddca5f2d017f0f83275c0b82da53e5b7fd43c9ca20f263",
    ),
    (
        Hook::PrePush,
        "8edcf56ea3df50373e6649065f1f245dd504cf597185585fba083d452526ab47",
    ),
    (
        Hook::PrePush,
        "a677b2f6d194dc082c2d47694ee5040793e8eb3315f39ce2a10725892c6d8a6a",
    ),
    (
        Hook::PrePush,
        "066d407ae50f7e96292c1ef68cce9ba272b964004965004d138b276bc388df66",
    ),
];

/// SHA-256 of each husky block (`hooks/husky-pre-commit`, `hooks/husky-pre-push`) leakgate
/// has shipped before this one.
const HUSKY_BLOCKS: &[(Hook, &str)] = &[
    (
        Hook::PreCommit,
        "739155f4586611f700a5efa812f56c78ec98d042b4fdca0d42fc67d34833dbfb",
    ),
    (
        Hook::PreCommit,
        "aaaf7b94f8ecd050b35b175d641fc6455e78b554f3e8998d185d34927b511163",
    ),
    (
        Hook::PreCommit,
        "98e0c6ca948a9de955e9f867076d6ad1bf6b080d43ff82130963e80dd046a91b",
    ),
    (
        Hook::PrePush,
        "14e516752e09c91bef000d800b5810c38b90925b69db4b7810fa154e8ed6bda1",
    ),
    (
        Hook::PrePush,
        "eb483c6f276b5406224c538bb33484aeb6b4d6d5ec3755c57f07051916c38248",
    ),
];

/// The lefthook `run:` commands earlier versions wrote (before they looked in
/// `node_modules/.bin`).
const LEFTHOOK_COMMANDS: &[(Hook, &str)] = &[
    (Hook::PreCommit, "leakgate pre-commit"),
    (Hook::PrePush, "leakgate pre-push {1} {2}"),
];

fn listed(list: &[(Hook, &str)], hook: Hook, bytes: &[u8]) -> bool {
    let digest = sha256_hex(bytes);
    list.iter().any(|(h, d)| *h == hook && *d == digest)
}

/// True when `bytes` is, byte for byte, the shim an earlier leakgate wrote for `hook`.
pub fn is_shim(hook: Hook, bytes: &[u8]) -> bool {
    listed(SHIMS, hook, bytes)
}

/// True when `block` is, byte for byte, the husky block an earlier leakgate wrote for `hook`.
pub fn is_husky_block(hook: Hook, block: &str) -> bool {
    listed(HUSKY_BLOCKS, hook, block.as_bytes())
}

/// The `run:` commands earlier leakgate versions put in lefthook configs for `hook`.
pub fn lefthook_commands(hook: Hook) -> impl Iterator<Item = &'static str> {
    LEFTHOOK_COMMANDS
        .iter()
        .filter(move |(h, _)| *h == hook)
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This version's texts are not "previous": an install of this version is current, and
    /// a digest listed twice would hide a forgotten update of the list.
    #[test]
    fn current_texts_are_not_listed() {
        for hook in Hook::ALL {
            assert!(!is_shim(hook, hook.shim().as_bytes()), "{}", hook.name());
            assert!(!is_husky_block(hook, super::super::husky::block(hook)));
        }
    }

    #[test]
    fn the_texts_before_node_modules_are_listed() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hooks/previous/"
        );
        let read = |name: &str| std::fs::read(format!("{dir}{name}")).expect("fixture");
        assert!(is_shim(Hook::PreCommit, &read("pre-commit")));
        assert!(is_shim(Hook::PrePush, &read("pre-push")));
        assert!(!is_shim(Hook::PrePush, &read("pre-commit")));
        let husky = |name: &str| String::from_utf8(read(name)).expect("utf-8");
        assert!(is_husky_block(Hook::PreCommit, &husky("husky-pre-commit")));
        assert!(is_husky_block(Hook::PrePush, &husky("husky-pre-push")));
    }
}
