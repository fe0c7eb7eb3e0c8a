//! Where a site is published: the limits of the common static hosts, and what a
//! build's output is measured by against them.

/// How much a build's output folder holds, mpgen's manifest with the rest: a host
/// counts every file it is given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Size {
    pub files: usize,
    pub bytes: u64,
    /// The largest file and its length.
    pub largest: Option<(String, u64)>,
}

impl Size {
    pub fn add(&mut self, path: &str, len: u64) {
        self.files += 1;
        self.bytes += len;
        if self.largest.as_ref().is_none_or(|(_, l)| len > *l) {
            self.largest = Some((path.to_string(), len));
        }
    }
}

/// A static host and the limits of its free plan, as published by the host.
#[derive(Debug)]
pub struct Host {
    /// The value of `host` in `[publish]`.
    pub id: &'static str,
    pub name: &'static str,
    pub max_files: Option<usize>,
    pub max_bytes: Option<u64>,
    pub max_file_bytes: Option<u64>,
}

const MIB: u64 = 1024 * 1024;
const GB: u64 = 1_000_000_000;

pub const HOSTS: &[Host] = &[
    Host {
        id: "cloudflare-pages",
        name: "Cloudflare Pages (free plan)",
        max_files: Some(20_000),
        max_bytes: None,
        max_file_bytes: Some(25 * MIB),
    },
    Host {
        id: "github-pages",
        name: "GitHub Pages",
        max_files: None,
        max_bytes: Some(GB),
        max_file_bytes: Some(100 * MIB),
    },
    Host {
        id: "gitlab-pages",
        name: "GitLab Pages (GitLab.com)",
        max_files: None,
        max_bytes: Some(GB),
        max_file_bytes: None,
    },
];

pub fn host_ids() -> Vec<&'static str> {
    HOSTS.iter().map(|h| h.id).collect()
}

/// What in `size` a host would refuse: one sentence per limit passed, naming the host
/// and the limit. Only `target`'s limits when the site names its host, else every
/// common host's.
pub fn over_limits(size: &Size, target: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for host in HOSTS.iter().filter(|h| target.is_none_or(|t| t == h.id)) {
        let name = host.name;
        if let Some(max) = host.max_files.filter(|&m| size.files > m) {
            out.push(format!(
                "the output has {} files; {name} takes at most {}",
                thousands(size.files as u64),
                thousands(max as u64)
            ));
        }
        if let Some(max) = host.max_bytes.filter(|&m| size.bytes > m) {
            out.push(format!(
                "the output is {}; {name} takes at most {}",
                megabytes(size.bytes),
                megabytes(max)
            ));
        }
        if let (Some(max), Some((path, len))) = (host.max_file_bytes, &size.largest)
            && *len > max
        {
            out.push(format!(
                "`{path}` is {}; {name} takes no file over {} MiB",
                megabytes(*len),
                max / MIB
            ));
        }
    }
    out
}

/// `34,216`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `438.2 MB` (decimal megabytes, as hosts state their limits).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(files: usize, bytes: u64, largest: u64) -> Size {
        Size {
            files,
            bytes,
            largest: Some(("all.csv".into(), largest)),
        }
    }

    #[test]
    fn each_limit_passed_is_named_with_its_host() {
        let small = size(19_999, 149_000_000, 20 * MIB);
        assert!(over_limits(&small, None).is_empty());
        let many = size(34_216, 438_000_000, 20 * MIB);
        assert_eq!(
            over_limits(&many, None),
            ["the output has 34,216 files; Cloudflare Pages (free plan) takes at most 20,000"]
        );
        let heavy = size(100, 1_200_000_000, 30 * MIB);
        let said = over_limits(&heavy, None);
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(said[0].contains(
            "`all.csv` is 31.5 MB; Cloudflare Pages (free plan) takes no file over 25 MiB"
        ));
        assert!(said[1].contains("1200.0 MB; GitHub Pages takes at most 1000.0 MB"));
        assert!(said[2].contains("GitLab Pages"));
    }

    #[test]
    fn a_named_host_is_the_only_one_judged() {
        let heavy = size(30_000, 1_200_000_000, MIB);
        let said = over_limits(&heavy, Some("github-pages"));
        assert_eq!(
            said,
            ["the output is 1200.0 MB; GitHub Pages takes at most 1000.0 MB"]
        );
        assert!(over_limits(&size(30_000, 1, 1), Some("gitlab-pages")).is_empty());
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(megabytes(438_216_000), "438.2 MB");
    }
}
