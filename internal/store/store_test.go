package store_test

import (
	"context"
	"strings"
	"testing"

	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestConformance(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { storetest.Run(t, b.Open) })
	}
}

func TestUnreachablePostgresNamesHostHidesPassword(t *testing.T) {
	_, err := store.OpenPostgres(context.Background(), "postgres://khabar:s3cretpw@127.0.0.1:1/news?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	msg := err.Error()
	if !strings.Contains(msg, "127.0.0.1:1") || strings.Contains(msg, "s3cretpw") {
		t.Errorf("message should name the host and hide the password: %s", msg)
	}
}

func TestRedactURL(t *testing.T) {
	got := store.RedactURL("postgres://u:pw@db.example:5432/x")
	if strings.Contains(got, "pw@") || !strings.Contains(got, "db.example") {
		t.Errorf("RedactURL = %s", got)
	}
}
