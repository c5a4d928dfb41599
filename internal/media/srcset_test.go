package media

import (
	"reflect"
	"testing"
)

func TestSources(t *testing.T) {
	url := func(key string) string { return "/media/" + key }
	vs := []Variant{
		{Key: "a-640.jpg", Width: 640, Height: 427, Format: JPEG},
		{Key: "a-320.webp", Width: 320, Height: 213, Format: WebP},
		{Key: "a-320.jpg", Width: 320, Height: 213, Format: JPEG},
		{Key: "a-640.webp", Width: 640, Height: 427, Format: WebP},
	}
	want := []Source{
		{Format: WebP, Srcset: "/media/a-320.webp 320w, /media/a-640.webp 640w", Src: "/media/a-640.webp", Width: 640, Height: 427},
		{Format: JPEG, Srcset: "/media/a-320.jpg 320w, /media/a-640.jpg 640w", Src: "/media/a-640.jpg", Width: 640, Height: 427},
	}
	if got := Sources(vs, url); !reflect.DeepEqual(got, want) {
		t.Errorf("Sources = %+v\nwant %+v", got, want)
	}
	if got := Sources(nil, url); len(got) != 0 {
		t.Errorf("Sources(nil) = %+v", got)
	}
	if m := want[0].MIME(); m != "image/webp" {
		t.Errorf("MIME = %q", m)
	}
}
