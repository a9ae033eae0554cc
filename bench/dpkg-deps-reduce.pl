#!/usr/bin/perl
# The reference for `xdeb deps reduce`: dpkg's own Dpkg::Deps (from dpkg-dev). Reads one
# dependency field per line on stdin and prints each reduced field on one line, formatted by
# output(); a field Dpkg::Deps rejects prints "#ERROR <why>" instead.
#
# usage: dpkg-deps-reduce.pl --host-arch H [--build-arch B] [--profiles p1,p2] [--field NAME]
#        dpkg-deps-reduce.pl --no-reduce [--field NAME]      (parse and output() only)
# Build-Conflicts* fields are parsed with union => 1, as dpkg-checkbuilddeps does.
use strict;
use warnings;
use Getopt::Long;
use Dpkg::Deps;

my ($host, $build, $profiles, $field, $no_reduce) = (undef, 'amd64', '', 'Build-Depends', 0);
GetOptions('host-arch=s' => \$host, 'build-arch=s' => \$build,
           'profiles=s' => \$profiles, 'field=s' => \$field, 'no-reduce' => \$no_reduce)
    or die "usage: $0 --host-arch H [--build-arch B] [--profiles p1,p2] [--field NAME]\n";
$host //= $build;
my @profiles = grep { length } split /[,\s]+/, $profiles;
my $union = $field =~ /^build-conflicts/i ? 1 : 0;

# Dpkg's warnings (deprecated '<', "can't parse") go to stderr; the reason is kept for #ERROR.
my $last_warning = '';
local $SIG{__WARN__} = sub { $last_warning = $_[0]; print STDERR $_[0] };

binmode STDIN, ':raw';
binmode STDOUT, ':raw';
while (my $line = <STDIN>) {
    chomp $line;
    $line =~ s/\r$//;
    $last_warning = '';
    my $dep = eval {
        $no_reduce
            ? deps_parse($line, build_dep => 1, union => $union)
            : deps_parse($line, reduce_arch => 1, host_arch => $host, build_arch => $build,
                         build_dep => 1, reduce_profiles => 1, build_profiles => \@profiles,
                         union => $union);
    };
    if ($@) {
        (my $why = $@) =~ s/\s+$//;
        $why =~ s/\n/ /g;
        print "#ERROR $why\n";
    } elsif (not defined $dep) {
        (my $why = $last_warning) =~ s/\s+$//;
        $why =~ s/\n/ /g;
        print "#ERROR $why\n";
    } else {
        print $dep->output(), "\n";
    }
}
