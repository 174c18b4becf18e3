//! Applying the config to raw findings: `[rules]` severity overrides, then `[[allow]]`.

use super::date::Date;
use super::{pathglob, shown_path, AllowEntry, Config, Level};
use crate::report::{Finding, Severity};
use crate::rules;

/// One `[[allow]]` entry, compiled.
struct Matcher<'a> {
    entry: &'a AllowEntry,
    package: Option<globset::GlobMatcher>,
    path: Option<globset::GlobSet>,
    expired: bool,
    /// Findings this entry silenced (or, when expired, would have silenced).
    hits: usize,
}

impl Matcher<'_> {
    fn matches(&self, f: &Finding) -> bool {
        let e = self.entry;
        // An entry may name a rule by an old id (`staged/denied-file` for `file/denied`).
        if e.rule
            .as_deref()
            .is_some_and(|r| rules::canonical(r) != rules::canonical(&f.rule))
        {
            return false;
        }
        if let Some(m) = &self.package {
            if !f.package.as_deref().is_some_and(|p| m.is_match(p)) {
                return false;
            }
        }
        if let Some(set) = &self.path {
            let Some(path) = f.repo_path.as_deref().or(f.file.as_deref()) else {
                return false;
            };
            if pathglob::matches(set, path).is_empty() {
                return false;
            }
        }
        if let Some(fp) = &e.fingerprint {
            if f.fingerprint.as_deref() != Some(fp.as_str()) {
                return false;
            }
        }
        true
    }
}

impl Config {
    /// Applies `[rules]` severity overrides and `[[allow]]` entries to the findings of a
    /// run that looked at *part* of the repository (a pre-commit that saw three files):
    /// expired entries are reported (`allow/expired`), but entries that matched nothing
    /// are not called unused, since the run may simply not have seen what they allow.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        self.apply_on(findings, Date::today(), false)
    }

    /// Like [`Config::apply`], for a run that audited everything the config speaks about
    /// (an audit of every package): entries that matched nothing are reported as
    /// `allow/unused`.
    pub fn apply_complete(&self, findings: Vec<Finding>) -> Vec<Finding> {
        self.apply_on(findings, Date::today(), true)
    }

    /// The severity a finding of `rule` gets: the `[rules]` override, or `current`;
    /// `None` when the rule is turned off.
    pub fn severity_for(&self, rule: &str, current: Severity) -> Option<Severity> {
        match self.rules.get(rule) {
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            None => Some(current),
        }
    }

    /// The severity a finding gets: a matching `[[package]]` entry's `rules` override (the
    /// last matching entry that names the rule), else the top-level `[rules]` override,
    /// else its own; `None` when turned off. A `[[package]]` entry matches a finding by
    /// package name, or by its `path` glob matching a directory above the finding's
    /// repository path.
    pub fn severity_for_finding(&self, f: &Finding) -> Option<Severity> {
        let per_package = self
            .packages
            .iter()
            .rev()
            .filter(|p| p.rules.contains_key(&f.rule))
            .find(|p| package_entry_matches(p, f))
            .and_then(|p| p.rules.get(&f.rule));
        match per_package {
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            None => self.severity_for(&f.rule, f.severity),
        }
    }

    /// [`Config::apply`] with an explicit "today" and completeness (for tests and callers
    /// that know better).
    pub fn apply_on(&self, findings: Vec<Finding>, today: Date, complete: bool) -> Vec<Finding> {
        let mut matchers: Vec<Matcher> = self
            .allow
            .iter()
            .map(|entry| Matcher {
                entry,
                package: entry
                    .package
                    .as_deref()
                    .and_then(|p| pathglob::compile_name(p).ok().map(|g| g.compile_matcher())),
                path: entry
                    .path
                    .as_deref()
                    .and_then(|p| pathglob::compile(p).ok())
                    .map(|g| pathglob::set([g])),
                expired: entry
                    .expires
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok())
                    .is_some_and(|d| d < today),
                hits: 0,
            })
            .collect();

        let mut out = Vec::with_capacity(findings.len());
        for mut f in findings {
            match self.severity_for_finding(&f) {
                Some(s) => f.severity = s,
                None => continue,
            }
            let mut allowed = false;
            for m in matchers.iter_mut() {
                if m.matches(&f) {
                    m.hits += 1;
                    if !m.expired {
                        allowed = true;
                        break;
                    }
                }
            }
            if !allowed {
                out.push(f);
            }
        }

        let file = self
            .source
            .as_deref()
            .map(|p| shown_path(p).display().to_string())
            .unwrap_or_else(|| super::FILE_NAME.to_string());
        let mut own = Vec::new();
        for m in &matchers {
            let e = m.entry;
            let what = describe(e);
            if m.expired {
                let would = match m.hits {
                    0 => String::new(),
                    1 => " (1 finding in this run is reported again)".to_string(),
                    n => format!(" ({n} findings in this run are reported again)"),
                };
                own.push(
                    Finding::new(
                        &crate::config::ALLOW_EXPIRED,
                        format!(
                            "allow entry for {what} expired on {} and no longer allows anything{would}",
                            e.expires.as_deref().unwrap_or("?")
                        ),
                    )
                    .file(file.clone())
                    .at(e.line.max(1) as u32, 1)
                    .help(format!(
                        "fix what it allowed, or move `expires` forward if the team agrees (reason was: {})",
                        e.reason
                    )),
                );
            } else if complete && m.hits == 0 {
                own.push(
                    Finding::new(
                        &crate::config::ALLOW_UNUSED,
                        format!("allow entry for {what} matched nothing in this run"),
                    )
                    .file(file.clone())
                    .at(e.line.max(1) as u32, 1)
                    .help("remove the entry, or narrow it to what it was meant to allow"),
                );
            }
        }
        for mut f in own {
            if let Some(s) = self.severity_for(&f.rule, f.severity) {
                f.severity = s;
                out.push(f);
            }
        }
        out
    }
}

/// Whether a `[[package]]` entry covers a finding (see [`Config::severity_for_finding`]).
fn package_entry_matches(p: &super::PackageSettings, f: &Finding) -> bool {
    if let (Some(pat), Some(name)) = (&p.name, &f.package) {
        if pathglob::compile_name(pat).is_ok_and(|g| g.compile_matcher().is_match(name)) {
            return true;
        }
    }
    let (Some(pat), Some(path)) = (&p.path, &f.repo_path) else {
        return false;
    };
    let Ok(glob) = globset::GlobBuilder::new(&pathglob::normalize(pat))
        .literal_separator(true)
        .build()
    else {
        return false;
    };
    let m = glob.compile_matcher();
    let path = pathglob::normalize(path.split('!').next().unwrap_or(path));
    let mut dir = path.as_str();
    while let Some(i) = dir.rfind('/') {
        dir = &dir[..i];
        if m.is_match(dir) {
            return true;
        }
    }
    false
}

/// "rule `secret/npm-token` at `lib/fixtures/*.js`" — what an entry covers, for messages.
fn describe(e: &AllowEntry) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &e.rule {
        parts.push(format!("rule `{r}`"));
    }
    if let Some(p) = &e.package {
        parts.push(format!("package `{p}`"));
    }
    if let Some(p) = &e.path {
        parts.push(format!("path `{p}`"));
    }
    if let Some(fp) = &e.fingerprint {
        parts.push(format!("fingerprint {}…", &fp[..fp.len().min(12)]));
    }
    if parts.is_empty() {
        "everything".to_string()
    } else {
        parts.join(", ")
    }
}
