package privacy

// defaultPolicies are written on first start; admins edit them at /admin/policies. Their
// words describe what the software does (policy/privacy-principles.md), so an operator who
// keeps them keeps a policy that is true.
var defaultPolicies = []struct{ name, title, source string }{
	{PrivacyPolicy, "Privacy policy", defaultPrivacy},
	{Agreement, "Community agreement", defaultAgreement},
}

const defaultPrivacy = `This page says, in plain words, what this site keeps about you, who can see it, and what you can do about it.

## What is public

Everything you post in the forum and write in public chat rooms can be read by anyone on the internet. It may be recorded, archived and republished by anyone, and copies made by others can outlive anything you delete here. Your username, your display name, when you joined and your posts are shown on your public profile.

Before you publish something that looks like personal information (an email address, a phone number, a card or bank account number), the site stops and asks whether you really mean to make it public.

## What we ask for

To read, you need nothing: no account, no cookie. To post or chat you need an account, which asks for a username and a password. An email address and a display name are optional. Your email address is never shown to other members or to moderators.

## What we store

- your username, display name, optional email address and a salted hash of your password (never the password itself);
- what you post and write, and earlier versions of posts you edited, which moderators can see;
- which versions of this policy and of the community agreement you accepted;
- your contact preferences, and enquiries you send us;
- a session record while you are logged in, which expires after 30 days.

We **never store your IP address or your browser's identification string**, neither in the database nor in our logs.

## Cookies

Reading the site sets no cookie at all. Logging in sets one cookie, which only keeps you logged in. If your browser refuses cookies you can still read everything, but you cannot log in.

## Visit statistics

To understand how the site is used, we count page views per day by kind of page, by browser family (for example "Firefox") and by the website that linked to us. These are totals only: nothing in them can tell one visitor from another.

## Who we share with

No one. Pages load nothing from other websites: no trackers, no advertising, no external fonts. Your data leaves this server only as email you asked for or must receive, or when the law requires it. When an administrator looks at a member's email address, or exports a member's data to answer a lawful request, that access is written to the audit log.

## Email

We email you only if you gave an address, and only:

- answers to enquiries you send us and notices from moderators about your account;
- a notice when this policy or the community agreement changes materially;
- announcements, only if you opted in under your contact preferences; every announcement has a one-click unsubscribe link.

## Your data, your choice

On your account page you can download everything tied to your account (your profile, posts, messages, notices and consents) as one archive, and you can delete your account. When you delete it you choose whether your posts are erased or kept under the name "former member". Content others already copied or archived cannot be recalled.

## Changes

Every version of this policy is kept and you can compare any two. When we make a material change, members see a notice until they have read it, and everyone who gave an email address receives one email about it.

## Contact

Questions about your data? Use the [contact form](/contact); you do not need an account, and you may leave an address for our answer.
`

const defaultAgreement = `By taking part in this community you agree to these rules. Moderators cite them by number when they contact someone about something they posted.

1. Be respectful. Argue with ideas, not with people.
2. No harassment: no threats, insults, intimidation or unwanted attention, in public or in private.
3. Do not share personal information about others (addresses, phone numbers, real names they have not shared themselves) without their consent.
4. No spam: no advertising, repeated messages or links posted only for promotion.
5. Stay on topic: post in the category or room where your message belongs.
6. Follow the law: do not post anything illegal or ask others to break the law.

If you see something that breaks these rules, report it; do not answer it in kind. Moderators may hide or remove content, send you a notice that explains which rule was broken, and limit or suspend accounts that keep breaking them. You can always reply to a notice.
`
