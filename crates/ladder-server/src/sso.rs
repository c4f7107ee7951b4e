//! OpenID Connect single sign-on: the authorization code flow with PKCE,
//! through the `openidconnect` crate.
//!
//! - [`Sso::start`] makes a random state, nonce and PKCE verifier, and
//!   returns the provider's authorization URL. The caller keeps the three
//!   secrets in the store (so any node can finish the flow) and binds the
//!   state to the browser with a cookie.
//! - [`Sso::finish`] swaps the code for tokens (sending the verifier),
//!   checks the ID token's signature, issuer, audience, expiry and nonce,
//!   and returns the email only if the provider says it is verified.
//!
//! The provider's metadata and keys are discovered on first use and kept
//! for an hour; a token signed with a key we have not seen triggers one
//! fresh discovery (providers rotate keys).

use crate::AppError;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _, reqwest,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Where single sign-on goes, from the `[oidc]` config.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL; discovery reads
    /// `ISSUER/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends people back: `PUBLIC_URL/auth/oidc/callback`.
    pub redirect_url: String,
    /// The sign-in button's words, e.g. "Sign in with Okta".
    pub label: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// The path the provider redirects back to.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// How long someone may take at the provider before the flow expires.
pub const FLOW_SECONDS: i64 = 10 * 60;
/// How long discovered metadata and keys are trusted.
const METADATA_SECONDS: i64 = 3600;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in begun: send the browser to `url`; keep the rest.
#[derive(Debug)]
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Lower-cased, and verified by the provider.
    pub email: String,
    pub name: Option<String>,
}

pub struct Sso {
    settings: OidcSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
    client: Mutex<Option<(Arc<Client>, i64)>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn upstream(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Upstream(format!("{what}: {e}"))
}

impl Sso {
    /// Checks the settings; does not contact the provider (it may be down
    /// while Ladder starts).
    pub fn new(settings: OidcSettings) -> Result<Sso, String> {
        let issuer = IssuerUrl::new(settings.issuer.trim_end_matches('/').to_owned())
            .map_err(|e| format!("oidc.issuer `{}` is not a URL: {e}", settings.issuer))?;
        let redirect = RedirectUrl::new(settings.redirect_url.clone()).map_err(|e| {
            format!(
                "the OIDC redirect URL `{}` is not a URL: {e}; check public_url",
                settings.redirect_url
            )
        })?;
        if settings.client_id.trim().is_empty() {
            return Err("oidc.client_id is empty".to_owned());
        }
        // No redirects: a provider's endpoints answer directly, and
        // following them would let a hostile response point us anywhere.
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("could not make the OIDC HTTP client: {e}"))?;
        Ok(Sso {
            settings,
            issuer,
            redirect,
            http,
            client: Mutex::new(None),
        })
    }

    pub fn label(&self) -> &str {
        &self.settings.label
    }

    async fn client(&self, now: i64, fresh: bool) -> Result<Arc<Client>, AppError> {
        let mut cached = self.client.lock().await;
        if let Some((c, at)) = cached.as_ref()
            && !fresh
            && now - at < METADATA_SECONDS
        {
            return Ok(c.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| upstream("OIDC discovery failed", error_chain(&e)))?;
        let client = Arc::new(
            CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(self.settings.client_id.clone()),
                Some(ClientSecret::new(self.settings.client_secret.clone())),
            )
            .set_redirect_uri(self.redirect.clone()),
        );
        *cached = Some((client.clone(), now));
        Ok(client)
    }

    /// Begins a sign-in.
    pub async fn start(&self, now: i64) -> Result<Started, AppError> {
        let client = self.client(now, false).await?;
        let state = crate::auth::random_token()?;
        let nonce = crate::auth::random_token()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                {
                    let s = state.clone();
                    move || CsrfToken::new(s)
                },
                {
                    let n = nonce.clone();
                    move || Nonce::new(n)
                },
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state,
            nonce,
            verifier: verifier.secret().clone(),
        })
    }

    /// Finishes a sign-in: the code for tokens, then the checked identity.
    pub async fn finish(
        &self,
        code: &str,
        nonce: &str,
        verifier: &str,
        now: i64,
    ) -> Result<Identity, AppError> {
        let client = self.client(now, false).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| upstream("the provider has no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| upstream("the code exchange failed", error_chain(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| upstream("the provider sent no ID token", "check the scopes"))?;
        let nonce = Nonce::new(nonce.to_owned());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(first) => {
                // Perhaps the provider rotated its keys: look again once.
                let client = self.client(now, true).await?;
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| {
                        upstream("the ID token did not verify", format!("{first}; then {e}"))
                    })?
                    .clone()
            }
        };
        let Some(email) = claims.email() else {
            return Err(AppError::BadRequest(
                "your identity provider did not share an email address; ask an admin to allow the `email` scope for Ladder".to_owned(),
            ));
        };
        let email = email.as_str().trim().to_lowercase();
        if claims.email_verified() != Some(true) {
            return Err(AppError::BadRequest(format!(
                "your identity provider has not verified {email}; verify it there, then sign in again"
            )));
        }
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned());
        Ok(Identity { email, name })
    }
}

/// An error and its causes, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
