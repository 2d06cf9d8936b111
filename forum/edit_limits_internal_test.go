package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Edits are paced like posts: a member who edits without pause is slowed down, and what
// they typed is kept (the edit form shows it again). Staff are not paced.
func TestEditsArePacedLikePosts(t *testing.T) {
	tf := newTestForum(t)
	ctx := context.Background()
	th := tf.thread(t, tf.mod, "Pacing edits", "first")
	p, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "reply 0"})
	if err != nil {
		t.Fatal(err)
	}
	// The reply used one of the burst; the rest go to edits.
	for i := 1; i < PostBurst; i++ {
		if _, _, err := tf.Service.Edit(ctx, tf.member, p.ID, fmt.Sprintf("edit %d", i), false); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	if _, _, err := tf.Service.Edit(ctx, tf.member, p.ID, "one edit too many", false); !errors.Is(err, ErrTooFast) {
		t.Fatalf("an edit beyond the pace: %v, want ErrTooFast", err)
	}
	first, err := tf.Service.store.PostByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range PostBurst + 2 {
		if _, _, err := tf.Service.Edit(ctx, tf.mod, first.ID, fmt.Sprintf("staff edit %d", i), false); err != nil {
			t.Fatalf("staff edit %d: %v", i, err)
		}
	}
}

// A post keeps at most MaxRevisions earlier versions: its first version and the latest
// ones, so that repeated edits cannot fill the disk nor bury what was first published.
func TestRevisionsAreCappedKeepingTheFirst(t *testing.T) {
	tf := newTestForum(t, func(o *Options) { o.NoRateLimits = true })
	ctx := context.Background()
	th := tf.thread(t, tf.member, "Many edits", "the original text")
	p, err := tf.Service.store.PostByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	const edits = MaxRevisions + 15
	for i := 1; i <= edits; i++ {
		if _, _, err := tf.Service.Edit(ctx, tf.member, p.ID, fmt.Sprintf("version %d %s", i, strings.Repeat("x", 1000)), false); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	revs, err := tf.Service.store.Revisions(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != MaxRevisions {
		t.Fatalf("%d revisions kept, want %d", len(revs), MaxRevisions)
	}
	if revs[len(revs)-1].Source != "the original text" {
		t.Errorf("the oldest kept version is %.20q, want the original", revs[len(revs)-1].Source)
	}
	if !strings.HasPrefix(revs[0].Source, fmt.Sprintf("version %d ", edits-1)) {
		t.Errorf("the newest kept version is %.20q, want the one before the current", revs[0].Source)
	}
}

// BenchmarkEditLargePost reports what editing a 60 KB post costs (render, write, index).
func BenchmarkEditLargePost(b *testing.B) {
	tf := newTestForum(b, func(o *Options) { o.NoRateLimits = true })
	ctx := context.Background()
	th := tf.thread(b, tf.member, "Large", "start")
	p, err := tf.Service.store.PostByID(ctx, th.ID)
	if err != nil {
		b.Fatal(err)
	}
	bodies := []string{strings.Repeat("alpha beta ", 5500), strings.Repeat("gamma delta ", 5000)}
	i := 0
	for b.Loop() {
		i++
		if _, _, err := tf.Service.Edit(ctx, tf.member, p.ID, bodies[i%2], false); err != nil {
			b.Fatal(err)
		}
	}
}
