package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("كلمة مرور طويلة")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash format: %s", h)
	}
	if err := VerifyPassword(h, "كلمة مرور طويلة"); err != nil {
		t.Errorf("right password: %v", err)
	}
	for _, wrong := range []string{"", "كلمة مرور طويله", strings.Repeat("x", 10000)} {
		if err := VerifyPassword(h, wrong); err != ErrBadPassword {
			t.Errorf("wrong password %q: %v", wrong[:min(len(wrong), 20)], err)
		}
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1,t=1,p=1$!!!$AAAA"} {
		if err := VerifyPassword(bad, "x"); err == nil || err == ErrBadPassword {
			t.Errorf("malformed hash %q: %v", bad, err)
		}
	}
	h2, _ := HashPassword("كلمة مرور طويلة")
	if h == h2 {
		t.Error("salt not random")
	}
}

func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "ten chars!": true, "عشرة أحرف ع": true, strings.Repeat("x", 300): false} {
		if (CheckPasswordRules(pw) == nil) != ok {
			t.Errorf("CheckPasswordRules(%d runes) ok=%v", len([]rune(pw)), !ok)
		}
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, PermManageSettings, true},
		{RoleEditor, PermPublish, true},
		{RoleEditor, PermManageSettings, false},
		{RoleWriter, PermWrite, true},
		{RoleWriter, PermPublish, false},
		{RoleWriter, PermManageTicker, false},
		{RoleModerator, PermModerate, true},
		{RoleModerator, PermWrite, false},
		// API tokens: held by those who may make them in the newsroom.
		{RoleAdmin, PermTokens, true},
		{RoleEditor, PermTokens, true},
		{RoleWriter, PermTokens, false},
		{RoleModerator, PermTokens, false},
		{Role("king"), PermViewNewsroom, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.perm); got != c.want {
			t.Errorf("%s can %s = %v", c.role, c.perm, got)
		}
	}
	if _, err := ParseRole("king"); err == nil {
		t.Error("unknown role parsed")
	}
	var nobody *User
	if nobody.Can(PermWrite) {
		t.Error("nil user can write")
	}
}

func TestTokens(t *testing.T) {
	a, ha, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewToken()
	if a == b || len(a) < 40 || ha != HashToken(a) || ha == a {
		t.Errorf("tokens %q %q hash %q", a, b, ha)
	}
}
