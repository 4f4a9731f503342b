//! The sign-in at the identity provider and its callback: who signed in, checked against
//! the request and the record before anything of it is shown.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;

use super::auth::PendingSignIn;
use super::loaded::{Loaded, Stop};
use super::space::{Authentication, PreviewSpace};
use super::visit::{BROWSER_COOKIE, SIGN_IN_COOKIE, cookie, see_other, set_cookie, visit};
use crate::exchange::Resolution;
use crate::preview::held::{Content, Held};
use crate::preview::identity::{self, Claimed, Mismatch};
use crate::preview::representative::{self, Representative};
use crate::preview::session::{BrowserKey, SignedIn};

/// Starts the sign-in: the provider's redirect, the link named in a cookie for the
/// callback.
pub(super) async fn sign_in(
    State(space): State<Arc<PreviewSpace>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Authentication::Provider(auth) = &space.authentication else {
        return v.stop(Stop::Invalid);
    };
    let sign_in = match auth.begin(&space.callback_url()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "sign-in cannot start");
            return v.stop(Stop::Failed(e.code()));
        }
    };
    let Ok(pending) = serde_json::to_string(&sign_in.pending) else {
        return v.stop(Stop::Failed("AUTH_PENDING"));
    };
    if let Err(refused) = v
        .commit(&space, &token, |s, b, now, t| {
            s.begin_sign_in(b, pending.clone(), now, t)
        })
        .await
    {
        return refused;
    }
    let mut response = see_other(&sign_in.redirect_url);
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, &token));
    response
}

pub(super) async fn callback(
    State(space): State<Arc<PreviewSpace>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let token = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    let mut v = match visit(&space, &headers, &token).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Authentication::Provider(auth) = &space.authentication else {
        return v.stop(Stop::Invalid);
    };
    let Some(pending) = v
        .loaded
        .session
        .pending_sign_in()
        .and_then(|p| serde_json::from_str::<PendingSignIn>(p).ok())
    else {
        return v.stop(Stop::Invalid);
    };
    let person = match auth.finish(&pending, &space.callback_url(), &query).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "sign-in failed");
            return v.stop(Stop::Failed(e.code()));
        }
    };
    let claimed = Claimed {
        family_name: person.family_name.clone(),
        given_name: person.given_name.clone(),
        date_of_birth: person.date_of_birth.clone(),
    };
    let signed_in = match who_signed_in(&space, &mut v.loaded, &claimed, &person).await {
        Ok(s) => s,
        Err(code) => return v.stop(Stop::Failed(code)),
    };
    // The sign-in rotates the browser's key: one seen or set before opens nothing now.
    let fresh = BrowserKey::fresh();
    v.render.presented = Some(fresh.as_str().to_owned());
    let committed = v
        .commit(&space, &token, |s, b, now, t| {
            s.rotate_browser(b, &fresh)?;
            s.signed_in(fresh.as_str(), signed_in.clone(), now, t)
        })
        .await;
    let mut response = match committed {
        Err(refused) => refused,
        Ok(_) => {
            if signed_in != SignedIn::Subject {
                // A held follow-up can be refused at once.
                let _ = space.decided.send(());
            }
            see_other(&format!("{}/{token}", space.base_path()))
        }
    };
    if v.loaded.session.is_bound_to(Some(fresh.as_str())) {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(BROWSER_COOKIE, fresh.as_str()),
        );
    }
    response
}

/// Who signed in, as far as the session is concerned, checked in this order and the
/// first failure ending the session without anything of the record shown:
///
/// 1. the sign-in reaches the evidence type's level of assurance (the sign-in's own
///    property, whatever the registry holds);
/// 2. the signed-in person is the request's subject ([`identity::check`]);
/// 3. the record is known (homonyms: the sign-in's identifier singles it out, and the
///    session then holds it) and the signed-in person is its person
///    ([`identity::check_record`]; a session holding no record identity fails); with
///    several evidences (`evidence.several`), the person of every one of their records.
///
/// Each verdict is logged naming attributes only. A stable code if the registry or the
/// rendering failed while singling out the record (the person may sign in again).
async fn who_signed_in(
    space: &PreviewSpace,
    loaded: &mut Loaded,
    claimed: &Claimed,
    person: &super::auth::AuthenticatedPerson,
) -> Result<SignedIn, &'static str> {
    if !loaded
        .held
        .assurance_suffices(person.level_of_assurance.as_deref())
    {
        tracing::warn!(
            level = person.level_of_assurance.as_deref().unwrap_or("-"),
            "the sign-in's level of assurance is below the evidence type's minimum"
        );
        return Ok(SignedIn::Other(Mismatch::Assurance));
    }
    if let Some(representative) = &loaded.held.representative {
        return Ok(representative_signed_in(
            &loaded.held,
            representative,
            claimed,
        ));
    }
    let requested = loaded.held.identity();
    let verdict = identity::check(&requested, claimed);
    if !verdict.is_same() {
        tracing::warn!(check = "subject", verdict = ?verdict, "the signed-in person is not the request's subject");
        return Ok(SignedIn::Other(Mismatch::Subject { verdict }));
    }
    let singled_out = match &loaded.held.content {
        Content::Evidence { .. } => None,
        Content::Undetermined { request } => {
            match single_out(space, request, person.person_identifier.as_deref()).await? {
                Some(content) => Some(content),
                None => return Ok(SignedIn::Unresolved),
            }
        }
    };
    // Every record whose evidence may be released (`evidence.several`: each of them).
    let records: Vec<_> = match &singled_out {
        Some(Content::Evidence { record, more, .. }) => std::iter::once(record.as_ref())
            .chain(more.iter().map(|m| m.record.as_ref()))
            .collect(),
        Some(Content::Undetermined { .. }) => vec![None],
        None => loaded.held.offered().iter().map(|o| o.record).collect(),
    };
    for record in if records.is_empty() {
        vec![None]
    } else {
        records
    } {
        let verdict = identity::check_record(&requested, record, claimed);
        if !verdict.is_same() {
            tracing::warn!(check = "record", verdict = ?verdict, "the signed-in person is not the person of the record the request matched (or of one of them); nothing of it is shown");
            return Ok(SignedIn::Other(Mismatch::Record { verdict }));
        }
    }
    if let Some(content) = singled_out {
        loaded.held.content = content;
        loaded.held_changed = true;
    }
    Ok(SignedIn::Subject)
}

/// A represented request (docs/preview.md, "Representatives"): the one signing in is the
/// representative the request names ([`Representative::check`], as strict as a subject's
/// check), the person of the registry row granting the power when the mapping checks it
/// ([`Representative::check_power`]), and the record held is the subject the request
/// names ([`representative::check_subject_record`]). A record still to be singled out is
/// not: the sign-in's identifier is the representative's, not the subject's.
fn representative_signed_in(
    held: &Held,
    representative: &Representative,
    claimed: &Claimed,
) -> SignedIn {
    for verdict in [
        representative.check(claimed),
        representative.check_power(claimed),
    ] {
        if !verdict.is_same() {
            tracing::warn!(check = "representative", verdict = ?verdict, "the signed-in person is not the request's representative, or not the registry's");
            return SignedIn::Other(Mismatch::Representative { verdict });
        }
    }
    if matches!(held.content, Content::Undetermined { .. }) {
        tracing::info!("a representative's sign-in does not single out the subject's record");
        return SignedIn::Unresolved;
    }
    let verdict = representative::check_subject_record(
        &held.identity(),
        held.record(),
        &representative.subject_identifiers,
    );
    if !verdict.is_same() {
        tracing::warn!(check = "represented", verdict = ?verdict, "the record held is not the subject the request names; nothing of it is shown");
        return SignedIn::Other(Mismatch::Represented { verdict });
    }
    SignedIn::Subject
}

/// The subject's record among the several the first request fitted, found with the
/// identifier the person signed in with; `None` if it still is not one; a stable code if
/// the registry or the rendering failed (the person may sign in again).
async fn single_out(
    space: &PreviewSpace,
    request: &str,
    identifier: Option<&str>,
) -> Result<Option<Content>, &'static str> {
    let Some(identifier) = identifier else {
        tracing::warn!(
            "the sign-in gives no person identifier (claims.person_identifier), so it cannot single out the subject's record"
        );
        return Ok(None);
    };
    match space.exchange.resolve(request, identifier).await {
        Resolution::Found(content) => {
            tracing::info!("the sign-in singled out the subject's record");
            Ok(Some(*content))
        }
        Resolution::NotFound(why) => {
            tracing::info!(why = %why, "the sign-in did not single out the subject's record");
            Ok(None)
        }
        Resolution::Failed(code) => {
            tracing::warn!(
                code,
                "looking for the subject's record after the sign-in failed"
            );
            Err(code)
        }
    }
}
