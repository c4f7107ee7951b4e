//! The route table: every route the server answers, in one list. The
//! router is built from it, and the authorization matrix test reads it, so
//! a route cannot exist without an entry in the matrix.

use crate::{AppState, api, web};
use axum::routing::{MethodRouter, get, post};

/// Who may use a route, as documented (the matrix test checks the truth).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// The person, their manager chain, the people team.
    PrivateToPerson,
    PeopleTeam,
    Admin,
    /// Framework editors and admins.
    Editor,
}

#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub audience: Audience,
    pub handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    (GET $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "GET",
            path: $path,
            audience: Audience::$aud,
            handler: || get($h),
        }
    };
    (POST $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "POST",
            path: $path,
            audience: Audience::$aud,
            handler: || post($h),
        }
    };
}

pub const ROUTES: &[Route] = &[
    route!(GET "/healthz", Public, web::health),
    route!(GET "/assets/{file}", Public, web::asset),
    route!(GET "/login", Public, web::login_form),
    route!(POST "/login", Public, web::login),
    route!(POST "/logout", SignedIn, web::logout),
    route!(GET "/auth/oidc/start", Public, web::sso_start),
    route!(GET "/auth/oidc/callback", Public, web::sso_callback),
    route!(GET "/setup", Public, web::setup_form),
    route!(POST "/setup", Public, web::setup),
    route!(GET "/", SignedIn, web::home),
    route!(GET "/people/{id}", SignedIn, web::person),
    route!(GET "/people/{id}/history", PrivateToPerson, web::person_history),
    route!(GET "/team", SignedIn, web::team),
    route!(GET "/org", SignedIn, web::org),
    route!(GET "/org/search", SignedIn, web::org_search),
    route!(GET "/framework/", Public, web::framework_index),
    route!(GET "/framework/{*path}", Public, web::framework_file),
    route!(GET "/people-team/import", PeopleTeam, web::import_form),
    route!(POST "/people-team/import", PeopleTeam, web::import),
    route!(GET "/people-team/export.csv", PeopleTeam, web::export),
    route!(GET "/audit", PeopleTeam, web::audit),
    route!(GET "/admin/users", Admin, web::users),
    route!(POST "/admin/users", Admin, web::create_user),
    route!(POST "/admin/users/{id}/roles", Admin, web::set_roles),
    route!(POST "/admin/framework/reload", Editor, web::reload),
    route!(GET "/api/v1/openapi.json", Public, api::openapi),
    route!(GET "/api/v1/me", SignedIn, api::me),
    route!(GET "/api/v1/people", SignedIn, api::people),
    route!(GET "/api/v1/people/{id}", SignedIn, api::person),
    route!(GET "/api/v1/people/{id}/history", PrivateToPerson, api::person_history),
    route!(POST "/api/v1/people/import", PeopleTeam, api::import_people),
    route!(GET "/api/v1/framework", Public, api::framework),
    route!(GET "/api/v1/framework/roles/{family}/{level}", Public, api::role),
    route!(POST "/api/v1/tokens", SignedIn, api::create_token),
];
