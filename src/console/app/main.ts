import { type ApiError, callerIdentity, useSession } from "./api.js";
import { clear, field, h } from "./dom.js";
import { dashboardPage } from "./pages/dashboard.js";
import { historyPage } from "./pages/history.js";
import { insightsPage } from "./pages/insights.js";
import { lakePage } from "./pages/lake.js";
import { trailsPage } from "./pages/trails.js";
import { clearSession, createSession, loadSession, type Session, saveSession } from "./session.js";
import { clearBanner, showError } from "./ui.js";

/** A page renders into `main` from the route's query (e.g. #/history?Username=bob). */
export type Page = (main: HTMLElement, params: URLSearchParams) => Promise<void> | void;

const PAGES: Record<string, [string, Page]> = {
  dashboard: ["Dashboard", dashboardPage],
  history: ["Event history", historyPage],
  trails: ["Trails", trailsPage],
  lake: ["Lake", lakePage],
  insights: ["Insights", insightsPage],
};

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function route(): void {
  const main = $("main");
  const session = loadSession();
  if (!session) {
    signInPage(main);
    return;
  }
  const [name = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const entry = PAGES[name];
  if (!entry) {
    location.replace("#/history");
    return;
  }
  clearBanner();
  for (const a of $("nav").querySelectorAll("a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${entry[0]} · OpenTrail`;
  clear(main);
  Promise.resolve(entry[1](main, new URLSearchParams(query))).catch(showError);
}

function signedIn(s: Session): void {
  useSession(s, signOutForFailure);
  $("nav").hidden = false;
  clear(
    $("who"),
    h("span", { title: s.arn ?? "" }, s.arn?.split(/[:/]/).pop() ?? s.accessKeyId),
    " ",
    h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
  );
}

function signOut(): void {
  clearSession();
  useSession(undefined);
  $("nav").hidden = true;
  clear($("who"));
  route();
}

/** A refused credential or expired key: back to sign-in, saying why. */
function signOutForFailure(e: ApiError): void {
  signOut();
  showError(e);
}

function signInPage(main: HTMLElement): void {
  document.title = "Sign in · OpenTrail";
  const keyId = h("input", {
    name: "accessKeyId",
    autocomplete: "username",
    required: true,
    spellcheck: "false",
  });
  const secret = h("input", {
    name: "secretAccessKey",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const token = h("input", { name: "sessionToken", type: "password", autocomplete: "off" });
  const region = h("input", { name: "region", value: "us-east-1", required: true });
  const status = h("p", { role: "status", class: "muted" });
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to OpenTrail"),
    h(
      "p",
      { class: "muted" },
      "Use an access key pair from OpenTrail's identity store (",
      h("code", null, "npx opentrail credentials"),
      "). The secret never leaves this page and is not stored.",
    ),
    field("Access key ID", keyId),
    field("Secret access key", secret),
    field("Session token (temporary credentials only)", token),
    field("Region", region),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    status,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    status.textContent = "Signing in…";
    void (async () => {
      try {
        const s = await createSession(
          keyId.value.trim(),
          secret.value,
          region.value.trim(),
          token.value.trim(),
          new Date(),
        );
        secret.value = "";
        s.arn = (await callerIdentity(s)).arn;
        saveSession(s);
        signedIn(s);
        clearBanner();
        if (!location.hash || location.hash === "#/") location.hash = "#/history";
        else route();
      } catch (e) {
        status.textContent = "";
        showError(e);
      }
    })();
  });
  clear(main, form);
  keyId.focus();
}

function start(): void {
  const s = loadSession();
  if (s) signedIn(s);
  window.addEventListener("hashchange", route);
  route();
}

start();
