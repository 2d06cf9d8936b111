package forum

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/site"
	"stoa/storage"
	"stoa/watchwords"
	"stoa/web"
)

// The forum's share of the automatic first line, at the service: watched words on
// posts, titles and edits, posts waiting for review, and duplicates.

func setAutomod(t *testing.T, tf *testForum, a site.Automod) {
	t.Helper()
	noRecord := func(*storage.Tx, site.Actor, string) error { return nil }
	if err := tf.Service.site.SaveAutomod(context.Background(), site.Actor{ID: tf.mod.ID, Name: tf.mod.Username}, a, noRecord); err != nil {
		t.Fatal(err)
	}
}

func watch(t *testing.T, tf *testForum, in watchwords.Input) {
	t.Helper()
	noRecord := func(*storage.Tx, watchwords.Actor, string) error { return nil }
	if err := tf.Service.words.Add(context.Background(), watchwords.Actor{ID: tf.mod.ID, Name: tf.mod.Username}, in, noRecord); err != nil {
		t.Fatal(err)
	}
}

func fieldError(err error, field string) string {
	if e := web.AsError(err); e != nil {
		return e.Fields[field]
	}
	return ""
}

// A new member's first posts wait hidden, with nobody notified, and count toward the
// review only once approved; the author can open their waiting thread, others cannot.
func TestNewMembersFirstPostsWaitUntilApproved(t *testing.T) {
	tf := newTestForum(t)
	ctx := context.Background()
	welcome := tf.thread(t, tf.mod, "Welcome", "Say hello.")
	setAutomod(t, tf, site.Automod{NewMemberPosts: 1})

	p, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: welcome.ID, Body: "Hello all"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Review != ReviewNewMember || !p.Hidden {
		t.Fatalf("the first post is %+v, want it waiting and hidden", p)
	}
	// A second post before approval waits too: nothing of theirs was published yet.
	th, err := tf.Service.CreateThread(ctx, tf.member, NewThread{CategoryID: 1, Title: "My garden", Body: "Pictures soon"})
	if err != nil {
		t.Fatal(err)
	}
	if !th.Hidden || !th.InReview {
		t.Fatalf("the waiting thread is %+v", th)
	}
	if _, err := tf.Service.Thread(ctx, tf.member, th.ID); err != nil {
		t.Errorf("the author cannot open their waiting thread: %v", err)
	}
	if _, err := tf.Service.Thread(ctx, nil, th.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the public opens a waiting thread: %v", err)
	}
	waiting, err := tf.Service.PostsInReview(ctx, 10)
	if err != nil || len(waiting) != 2 || waiting[0].Post.ID != p.ID || !strings.Contains(waiting[0].Note, "post 1 of the first 1") {
		t.Fatalf("waiting: %+v, %v", waiting, err)
	}
	if n := tf.notificationCount(t, tf.mod); n != 0 {
		t.Errorf("the thread's author has %d notifications for a post still waiting", n)
	}

	now := time.Now()
	if err := tf.db.Write(ctx, func(tx *storage.Tx) error { _, _, err := tf.Service.ApprovePost(tx, p.ID, now); return err }); err != nil {
		t.Fatal(err)
	}
	if n := tf.notificationCount(t, tf.mod); n != 1 {
		t.Errorf("after approval the thread's author has %d notifications, want the reply", n)
	}
	err = tf.db.Write(ctx, func(tx *storage.Tx) error { _, _, err := tf.Service.ApprovePost(tx, p.ID, now); return err })
	if !errors.Is(err, errNotWaiting) {
		t.Errorf("approving twice: %v", err)
	}
	if err := tf.db.Write(ctx, func(tx *storage.Tx) error {
		_, _, err := tf.Service.RejectPost(tx, waiting[1].Post.ID, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := tf.Service.Thread(ctx, tf.member, th.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a rejected thread is still there for its author: %v", err)
	}
	// One post approved: the next is published at once.
	p3, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: welcome.ID, Body: "Thanks!"})
	if err != nil || p3.Review != "" || p3.Hidden {
		t.Errorf("the post after an approved one: %+v, %v", p3, err)
	}
}

// Watched words: block beside the field at fault, replace at write, hold for review
// (never staff), and an edit cannot slip a held word in.
func TestWatchedWordsOnPostsTitlesAndEdits(t *testing.T) {
	tf := newTestForum(t)
	ctx := context.Background()
	watch(t, tf, watchwords.Input{Pattern: "scam", Action: watchwords.Block})
	watch(t, tf, watchwords.Input{Pattern: "crypto", Action: watchwords.Hold})
	watch(t, tf, watchwords.Input{Pattern: "dang", Action: watchwords.Replace, Replacement: "d*ng"})

	_, err := tf.Service.CreateThread(ctx, tf.member, NewThread{CategoryID: 1, Title: "A SCAM", Body: "Hello"})
	if !strings.Contains(fieldError(err, "title"), "“scam”") {
		t.Errorf("a blocked title: %v", err)
	}
	th, err := tf.Service.CreateThread(ctx, tf.member, NewThread{CategoryID: 1, Title: "Dang weeds", Body: "Dang it."})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := tf.Service.Post(ctx, tf.member, mustFirstPost(t, tf, th.ID))
	if err != nil || th.Title != "d*ng weeds" || p.Source != "d*ng it." || !strings.Contains(p.HTML, "d*ng it.") {
		t.Errorf("replaced: title %q, post %+v, %v", th.Title, p, err)
	}
	held, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "Try crypto"})
	if err != nil || held.Review != ReviewWatchedWord {
		t.Errorf("a held word: %+v, %v", held, err)
	}
	staff, _, err := tf.Service.Reply(ctx, tf.mod, NewReply{ThreadID: th.ID, Body: "No crypto here, please"})
	if err != nil || staff.Review != "" {
		t.Errorf("a moderator's post was held: %+v, %v", staff, err)
	}
	_, _, err = tf.Service.Edit(ctx, tf.member, p.ID, "Now about crypto", false)
	if !strings.Contains(fieldError(err, "body"), "An edit cannot wait for review") {
		t.Errorf("an edit with a held word: %v", err)
	}
	_, _, err = tf.Service.Edit(ctx, tf.member, p.ID, "A scam", false)
	if !strings.Contains(fieldError(err, "body"), "“scam”") {
		t.Errorf("an edit with a blocked word: %v", err)
	}
}

// The same text again within the window is refused; a double submit of one form is
// answered with the first post; another member, or after the window, may say it.
func TestDuplicatePostsAreRefused(t *testing.T) {
	tf := newTestForum(t)
	ctx := context.Background()
	th := tf.thread(t, tf.mod, "Seeds", "Swap here.")
	first, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "I have beans", Token: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "I have beans", Token: "t1"})
	if err != nil || again.ID != first.ID {
		t.Errorf("a double submit: %+v, %v", again, err)
	}
	_, _, err = tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "  i HAVE\n beans ", Token: "t2"})
	if !strings.Contains(fieldError(err, "body"), "same text") {
		t.Errorf("a duplicate: %v", err)
	}
	if _, _, err := tf.Service.Reply(ctx, tf.mod, NewReply{ThreadID: th.ID, Body: "I have beans", Token: "t3"}); err != nil {
		t.Errorf("another member saying the same: %v", err)
	}
	tf.Service.now = func() time.Time { return time.Now().Add(6 * time.Minute) }
	if _, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "I have beans", Token: "t4"}); err != nil {
		t.Errorf("the same text after the window: %v", err)
	}
	setAutomod(t, tf, site.Automod{DuplicateMinutes: 0})
	if _, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "I have beans", Token: "t5"}); err != nil {
		t.Errorf("with the check off: %v", err)
	}
}

func mustFirstPost(t *testing.T, tf *testForum, threadID int64) int64 {
	t.Helper()
	posts, err := tf.Service.store.Posts(context.Background(), threadID, 1, 0)
	if err != nil || len(posts) == 0 {
		t.Fatalf("first post of %d: %v", threadID, err)
	}
	return posts[0].ID
}

func (tf *testForum) notificationCount(t *testing.T, u *account.User) int {
	t.Helper()
	n, err := tf.Service.notifier.(*account.Notifier).UnreadCount(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
