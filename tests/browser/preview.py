"""The citizen's part of the preview flow, in a real browser (Debian's Chromium driven by
Playwright), for framework/tests/preview_browser.rs, which starts the adapter, the
identity provider and the requester and checks the answers.

    preview.py --link <PreviewLocation>
               --login jean|other|dupond|lukas|lukas-unknown|kovar|hajkova|demo-idp|-
               --decision approve|decline|none [--try-document] [--reload-after <s>]
               [--tick <n>]...
               [--plant-cookie <value>]
               --return-url <url> --axe <axe.min.js> --shots <dir> --name <scenario>

The adapter's public URL is a real https origin on loopback (the test's TLS front with a
self-signed certificate for localhost), so Secure cookies, redirects and the identity
provider's callback behave as in production. Every page the citizen
sees is checked with axe-core (WCAG 2.1 A and AA, no violations allowed) and saved as a
screenshot. Prints one JSON line with what happened; exits 1 on a failed check.
"""

import argparse
import json
import shutil
import sys
import tempfile
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--link", required=True)
    p.add_argument("--login", default="jean")
    p.add_argument("--decision", default="approve")
    p.add_argument("--return-url", default="")
    p.add_argument("--axe", required=True)
    p.add_argument("--shots", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--lang", default="en-GB,en;q=0.9")
    p.add_argument("--reload-after", type=float, default=0,
                   help="wait this many seconds after the decision step, then reload")
    p.add_argument("--try-document", action="store_true",
                   help="after the sign-in, ask for the held document as this browser")
    p.add_argument("--tick", type=int, action="append", default=[],
                   help="with several evidences, tick the n-th (from 0) evidence's box "
                        "before deciding (repeatable)")
    p.add_argument("--plant-cookie", default="",
                   help="before the first visit, set the preview cookies to this value "
                        "(a fixation attempt); the report gives the values the browser holds")
    a = p.parse_args()

    public = urlsplit(a.link)
    public_origin = f"{public.scheme}://{public.netloc}"
    result = {"scenario": a.name, "pages": [], "violations": []}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(), executable_path=chromium, headless=True, args=ARGS,
            # The pages allow no scripts at all (CSP); only the checker's own is let in.
            bypass_csp=True,
            # The test's https front has a self-signed certificate for localhost.
            ignore_https_errors=True,
            locale=a.lang.split(",")[0], extra_http_headers={"Accept-Language": a.lang})

        # Loopback only: the identity provider's development pages ask for web fonts,
        # which are not fetched.
        ctx.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"),
                  lambda route: route.abort())
        page = ctx.new_page()

        def preview_cookie():
            # The value of the browser cookie the adapter set (HttpOnly: read from the jar).
            return next((c["value"] for c in ctx.cookies(public_origin)
                         if c["name"] == "__Host-oots_preview"), None)

        if a.plant_cookie:
            ctx.add_cookies([
                {"name": "__Host-oots_preview", "value": a.plant_cookie,
                 "url": f"{public_origin}/", "secure": True, "httpOnly": True,
                 "sameSite": "Lax"},
                {"name": "oots_preview", "value": a.plant_cookie,
                 "url": f"{public_origin}{public.path.rsplit('/', 1)[0]}/",
                 "secure": True, "httpOnly": True, "sameSite": "Lax"},
            ])

        def check(step):
            # Everything the page holds, markup included, for the test to search (before
            # the checker's script is added).
            result["html"] = result.get("html", "") + page.content()
            page.add_script_tag(path=a.axe)
            found = page.evaluate(
                "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                ".then(r => r.violations.map(v => v.id + ': ' + v.help))", WCAG)
            page.screenshot(path=f"{a.shots}/{a.name}-{step}.png", full_page=True)
            result["pages"].append({"step": step, "url": page.url, "title": page.title()})
            result["violations"] += [f"{step}: {v}" for v in found]

        response = page.goto(a.link)
        result["first_status"] = response.status if response else None
        result["cookie_after_landing"] = preview_cookie()
        check("landing")
        if a.login == "demo-idp":
            # `oots-adapter demo`'s own identity provider: its form is prefilled.
            with page.expect_navigation():
                page.get_by_role("link", name="Sign in").click()
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            check("after-sign-in")
        elif a.login != "-":
            with page.expect_navigation():
                page.get_by_role("link", name="Sign in").click()
            page.wait_for_selector("input[name=login]")
            page.fill("input[name=login]", a.login)
            page.fill("input[name=password]", "any")
            page.click("button[type=submit]")
            # The provider's consent step.
            page.wait_for_selector("button[type=submit]")
            page.click("button[type=submit]")
            page.wait_for_url(f"{public_origin}/**")
            page.wait_for_load_state()
            check("after-sign-in")
        result["cookie_after_sign_in"] = preview_cookie()
        result["shown"] = page.inner_text("main")
        result["status_after_sign_in"] = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].responseStatus")
        result["decision_buttons"] = (
            page.get_by_role("button", name="Use this evidence").count()
            + page.get_by_role("button", name="Do not use").count())
        if a.try_document:
            back_to = page.url
            response = page.goto(a.link.split("?")[0].rstrip("/") + "/document")
            result["document_status"] = response.status if response else None
            result["document_type"] = response.headers.get("content-type") if response else None
            result["document_shown"] = page.inner_text("body")
            result["html"] += page.content()
            page.goto(back_to)
        boxes = page.get_by_role("checkbox")
        result["checkboxes"] = boxes.count()
        result["checked_before"] = sum(1 for i in range(boxes.count()) if boxes.nth(i).is_checked())
        for n in a.tick:
            boxes.nth(n).check()
        if a.decision in ("approve", "decline"):
            label = "Use this evidence" if a.decision == "approve" else "Do not use"
            button = page.get_by_role("button", name=label)
            if a.return_url:
                # The adapter sends the browser back to the requester (a page this test
                # does not serve): the request for it is what counts.
                with page.expect_request(lambda r: r.url.startswith(a.return_url)) as sent:
                    button.click()
                result["after_decision_url"] = sent.value.url
            else:
                with page.expect_navigation():
                    button.click()
                result["after_decision_url"] = page.url
                check("decided")
        if a.reload_after:
            page.wait_for_timeout(a.reload_after * 1000)
            response = page.reload()
            result["reload_status"] = response.status if response else None
            check("reloaded")
        ctx.close()

    print(json.dumps(result))
    return 1 if result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
