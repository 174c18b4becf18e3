//! `commit/exposes-files`: the files a commit makes publishable (being wired to the
//! packlist, which is still being built on main).

use super::staged::{Ctx, Options, StagedError, StagedReview};

/// Adds the exposure delta of the staged change to `out`.
pub(crate) fn review(
    _ctx: &Ctx<'_>,
    _opts: &Options,
    _out: &mut StagedReview,
) -> Result<(), StagedError> {
    Ok(())
}
