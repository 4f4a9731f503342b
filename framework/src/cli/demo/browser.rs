//! The citizen's part of a preview when the demo plays it (`--auto-approve`): a browser
//! driven over HTTP that opens the link, signs in at the demo identity provider, and
//! chooses "Use this evidence" on the evidence page.

use crate::requester::RequestSpec;

/// The user's visit, driven over HTTP as a browser would: the link, the sign-in at the
/// demo identity provider, the evidence page, "Use this evidence".
pub(super) async fn approve(link: &str, spec: &RequestSpec, trust: &[u8]) -> Result<(), String> {
    let mut browser = DrivenBrowser::new(trust)?;
    let base = link.split('?').next().unwrap_or(link);
    let review = sign_in(&mut browser, link, base, spec).await?;
    use_evidence(&browser, base, &review).await
}

/// The HTTP client of the driven visit (trusting the front, following no redirect) and
/// the cookies the adapter gave it.
struct DrivenBrowser {
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
}

impl DrivenBrowser {
    /// A browser trusting the https front's certificate, with no cookies yet.
    fn new(trust: &[u8]) -> Result<Self, String> {
        let certificate = reqwest::Certificate::from_der(trust).map_err(|e| e.to_string())?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .add_root_certificate(certificate)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(DrivenBrowser {
            http,
            cookies: Vec::new(),
        })
    }

    /// Keeps the cookies `r` sets; a new value replaces the old one of the same name.
    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(reqwest::header::SET_COOKIE) {
            if let Some((name, value)) = v
                .to_str()
                .ok()
                .and_then(|v| v.split(';').next())
                .and_then(|c| c.split_once('='))
            {
                self.cookies.retain(|(n, _)| n != name);
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The `cookie` header of the cookies kept.
    fn jar(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GETs `url` with the cookies kept.
    async fn get(&self, url: &str) -> Result<reqwest::Response, String> {
        self.http
            .get(url)
            .header("cookie", self.jar())
            .send()
            .await
            .map_err(|e| e.to_string())
    }
}

/// The `Location` of a redirect.
fn location(r: &reqwest::Response) -> Result<String, String> {
    r.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a redirect, got {}", r.status()))
}

/// Opens the link, signs in at the demo identity provider as the request's subject and
/// comes back through the preview's callback; the path of the evidence page it
/// redirects to.
async fn sign_in(
    browser: &mut DrivenBrowser,
    link: &str,
    base: &str,
    spec: &RequestSpec,
) -> Result<String, String> {
    let err = |e: reqwest::Error| e.to_string();
    let page = browser.http.get(link).send().await.map_err(err)?;
    browser.keep(&page);
    let sign_in = browser.get(&format!("{base}/sign-in")).await?;
    browser.keep(&sign_in);
    let authorize =
        openidconnect::url::Url::parse(&location(&sign_in)?).map_err(|e| e.to_string())?;
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("family_name".to_owned(), spec.family_name.clone()));
    form.push(("given_name".to_owned(), spec.given_name.clone()));
    form.push(("birthdate".to_owned(), spec.date_of_birth.clone()));
    let body = openidconnect::url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let mut idp = authorize.clone();
    idp.set_query(None);
    let signed = browser
        .http
        .post(idp.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(err)?;
    let callback = browser.get(&location(&signed)?).await?;
    // The sign-in rotates the browser cookie.
    browser.keep(&callback);
    location(&callback)
}

/// Reads the evidence page (`review`, a path) and chooses "Use this evidence" with its
/// CSRF token.
async fn use_evidence(browser: &DrivenBrowser, base: &str, review: &str) -> Result<(), String> {
    let err = |e: reqwest::Error| e.to_string();
    let page = browser.get(&format!("{}{}", origin(base), review)).await?;
    let html = page.text().await.map_err(err)?;
    let Some(csrf) = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
    else {
        return Err(
            "the evidence page shows no decision form (was the sign-in refused?)".to_owned(),
        );
    };
    println!(
        "    browser     signed in; the page shows the evidence; choosing \"Use this evidence\""
    );
    let decided = browser
        .http
        .post(format!("{base}/decision"))
        .header("cookie", browser.jar())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&decision=approve"))
        .send()
        .await
        .map_err(err)?;
    println!(
        "    browser     back to the requester: {}",
        location(&decided).unwrap_or_else(|e| e)
    );
    Ok(())
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> &str {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after..].find('/') {
        Some(i) => &url[..after + i],
        None => url,
    }
}
